"use client";

/** Flips the theme stored in localStorage (read before paint by app/layout.tsx). */
export function ThemeToggle() {
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-label="Switch between light and dark theme"
      onClick={() => {
        const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
        document.documentElement.dataset.theme = next;
        localStorage.setItem("cd-theme", next);
      }}
    >
      <span aria-hidden="true">◐</span> Theme
    </button>
  );
}
