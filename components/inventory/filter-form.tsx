"use client";
import { useRouter } from "next/navigation";

/**
 * A GET form that, with JavaScript, navigates on the client and leaves empty
 * filters out of the URL (a shared link then says only what matters).
 * Without JavaScript the browser submits it as usual.
 */
export function FilterForm({
  action,
  children,
  ...rest
}: { action: string; children: React.ReactNode } & Omit<React.FormHTMLAttributes<HTMLFormElement>, "action" | "onSubmit" | "method">) {
  const router = useRouter();
  return (
    <form
      {...rest}
      action={action}
      method="get"
      onSubmit={(e) => {
        e.preventDefault();
        const sp = new URLSearchParams();
        for (const [key, value] of new FormData(e.currentTarget)) {
          if (typeof value === "string" && value.trim() !== "") sp.set(key, value.trim());
        }
        const query = sp.toString();
        router.push(query ? `${action}?${query}` : action);
      }}
    >
      {children}
    </form>
  );
}
