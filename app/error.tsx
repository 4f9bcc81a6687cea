"use client";
// Catches what fails in the console's layout (it reads the session from the database).
export { RecoveringError as default } from "@/components/shell/recovering-error";
