"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import { LiveProvider } from "@/components/realtime/live-provider";

export function Providers({ children }: { children: React.ReactNode }) {
  const [client] = useState(() => {
    const queryClient = new QueryClient({
      defaultOptions: {
        queries: {
          staleTime: 5_000,
          // A 4xx will not fix itself by asking again.
          retry: (count, error) => !(error instanceof ApiClientError && error.status < 500) && count < 2,
        },
      },
    });
    // Live windows are written by the stream, never fetched. They are kept for
    // the life of the tab (bounded per subject), and compared by reference:
    // deep-comparing 900 points a second per subject would be wasted work.
    queryClient.setQueryDefaults(["live"], { staleTime: Infinity, gcTime: Infinity, structuralSharing: false, retry: false });
    return queryClient;
  });
  return (
    <QueryClientProvider client={client}>
      <LiveProvider>{children}</LiveProvider>
    </QueryClientProvider>
  );
}
