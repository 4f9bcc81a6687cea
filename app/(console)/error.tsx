"use client";
// Catches what fails in a page, inside the console's shell (navigation and live stream keep running).
export { RecoveringError as default } from "@/components/shell/recovering-error";
