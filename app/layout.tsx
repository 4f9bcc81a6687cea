import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: { default: "Clusterdeck", template: "%s · Clusterdeck" }, description: "Run the whole platform from one console" };

// Applied before paint so a dark-theme user never sees a white flash at 3 a.m.
const themeScript = `try{var t=localStorage.getItem("cd-theme");if(t==="dark"||(t!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.dataset.theme="dark"}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
