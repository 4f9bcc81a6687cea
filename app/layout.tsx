import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = { title: { default: "Clusterdeck", template: "%s · Clusterdeck" }, description: "Run the whole platform from one console" };

// Applied before paint so a dark-theme user never sees a white flash at 3 a.m.
const themeScript = `try{var t=localStorage.getItem("cd-theme");if(t==="dark"||(t!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.dataset.theme="dark"}catch(e){}`;

// The page's CSP allows only scripts carrying this response's nonce (proxy.ts);
// Next stamps its own, this inline one is ours to stamp. Reading the request's
// headers also makes every page render per request, as a nonce requires.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
