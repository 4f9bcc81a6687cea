/** Charts side by side where they fit, one per row on a phone (never wider than the screen). */
export function ChartGrid({ children }: { children: React.ReactNode }) {
  return (
    <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(min(360px, 100%), 1fr))" }}>
      {children}
    </div>
  );
}
