// A node's sessions against the capacity it is sized for. Above capacity is
// coloured and said in words (colour only repeats what the text says).
export function SessionsOfCapacity({ active, capacity, wordy = false }: { active: number; capacity: number; wordy?: boolean }) {
  const over = active > capacity;
  const figures = wordy
    ? `${active.toLocaleString("en")} active of ${capacity.toLocaleString("en")} capacity`
    : `${active.toLocaleString("en")} / ${capacity.toLocaleString("en")}`;
  return (
    <span className={over ? "over-capacity" : undefined} data-testid={over ? "over-capacity" : undefined}>
      {figures}
      {over && " (over capacity)"}
    </span>
  );
}
