import { useEffect, useRef, useState } from "react";

/**
 * `value`, but changing at most once per `ms` (the latest value wins; none is
 * lost). Charts use it: redrawing seven charts every second costs more than
 * a line whose newest point moves every few seconds is worth.
 */
export function useThrottledValue<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const timer = setTimeout(
      () => {
        last.current = Date.now();
        setShown(value);
      },
      Math.max(0, last.current + ms - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
