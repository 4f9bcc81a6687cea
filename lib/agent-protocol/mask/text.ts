// Free text (messages, reasons, settings values, the decoded value of an
// HAProxy word): every carrier text may hold, read together so their spans
// merge into one masked text.

import { headerLineSpans, tokenSpans } from "@/lib/agent-protocol/mask/headers";
import { keyValueSpans } from "@/lib/agent-protocol/mask/key-value";
import { applySpans, type Found, type Span } from "@/lib/agent-protocol/mask/spans";
import { urlPasswordSpans } from "@/lib/agent-protocol/mask/url";

export function maskTextWith(s: string, found: Found): string {
  const spans: Span[] = [];
  urlPasswordSpans(s, spans);
  keyValueSpans(s, spans);
  headerLineSpans(s, spans);
  tokenSpans(s, spans);
  return applySpans(s, spans, found);
}
