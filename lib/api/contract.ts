// Every route of /api/v1, in one list. Route files build their handlers from
// these entries, the OpenAPI document is generated from them, and the
// authorization tests walk them, so a route cannot exist without a rule.
import { z } from "zod";
import { idParams, pageOf } from "@/lib/common/schemas";
import * as inv from "@/lib/inventory/schemas";
import { attentionQuery, attentionView } from "@/lib/attention/schemas";
import { agentCredentialIssued } from "@/lib/agents/schemas";
import { meView } from "@/lib/auth/schemas";
import { auditList, auditPage } from "@/lib/audit/schemas";
import { passwordReset, userCreate, userItem, userList, userPage, userUpdate } from "@/lib/users/schemas";
import { createdToken, tokenCreate, tokenItem, tokenList, tokenPage } from "@/lib/tokens/schemas";
import { acknowledgeBody, bulkAcknowledgeAnswer, bulkAcknowledgeBody, eventItem, eventList, eventPage, eventParams, streamQuery } from "@/lib/events/schemas";
import { metricsAnswer, metricsQuery } from "@/lib/metrics/schemas";
import * as cfg from "@/lib/config/schemas";
import * as ops from "@/lib/operations/schemas";
import {
  autoFailoverAnswer,
  autoFailoverRequest,
  promoteRequest,
  promotionCheckAnswer,
  twoPersonRuleAnswer,
  twoPersonRuleBody,
} from "@/lib/operations/promote-schema";
import { replicationModeAnswer, replicationModeRequest } from "@/lib/operations/sync-schema";
import { linkLocalDestinationsAnswer, linkLocalDestinationsBody } from "@/lib/net/schemas";
import { createdDisplay, displayClaim, displayClaimAnswer, displayCreate, sessionAnswer, sessionItem, sessionListAnswer } from "@/lib/sessions/schemas";
import { route } from "@/lib/api/spec";

const crud = <L extends z.ZodType, C extends z.ZodType, U extends z.ZodType, I extends z.ZodType, D extends z.ZodType>(
  base: string,
  tag: string,
  what: string,
  schemas: {
    list: L;
    create: C;
    update: U;
    /** One record as lists, create and update answer it. */
    item: I;
    /** One record as GET /{id} answers it (the item, or more). */
    detail: D;
  },
) =>
  ({
    list: route({
      method: "GET",
      path: `/api/v1/${base}`,
      tag,
      summary: `List ${what}s`,
      access: "inventory:read",
      query: schemas.list,
      response: pageOf(schemas.item),
    }),
    create: route({
      method: "POST",
      path: `/api/v1/${base}`,
      tag,
      summary: `Create a ${what}`,
      access: "inventory:write",
      body: schemas.create,
      status: 201,
      response: schemas.item,
    }),
    get: route({
      method: "GET",
      path: `/api/v1/${base}/{id}`,
      tag,
      summary: `Get a ${what}`,
      access: "inventory:read",
      params: idParams,
      response: schemas.detail,
    }),
    update: route({
      method: "PATCH",
      path: `/api/v1/${base}/{id}`,
      tag,
      summary: `Change a ${what}`,
      access: "inventory:write",
      params: idParams,
      body: schemas.update,
      response: schemas.item,
    }),
    remove: route({
      method: "DELETE",
      path: `/api/v1/${base}/{id}`,
      tag,
      summary: `Delete a ${what}`,
      access: "inventory:write",
      params: idParams,
      status: 204,
    }),
  }) as const;

export const api = {
  health: route({
    method: "GET",
    path: "/api/v1/health",
    tag: "system",
    summary: "Liveness and database reachability (no authentication)",
    access: "public",
    response: z.object({ status: z.enum(["ok", "degraded"]), version: z.string(), database: z.enum(["up", "down"]) }),
  }),
  openapi: route({
    method: "GET",
    path: "/api/v1/openapi.json",
    tag: "system",
    summary: "This API's OpenAPI document",
    access: "public",
    // Described loosely: the document's own schemas are JSON Schema, validated as OpenAPI 3.1 by lib/api/openapi.test.ts.
    response: z.object({
      openapi: z.literal("3.1.0"),
      info: z.object({ title: z.string(), version: z.string() }),
      /** Path → method → operation. */
      paths: z.record(
        z.string(),
        z.partialRecord(
          z.enum(["get", "post", "put", "patch", "delete"]),
          z.object({
            summary: z.string(),
            description: z.string(),
            tags: z.array(z.string()),
            parameters: z.array(z.object({ name: z.string(), in: z.enum(["path", "query"]), required: z.boolean(), schema: z.unknown() })),
            security: z.array(z.record(z.string(), z.array(z.string()))),
            requestBody: z.object({ required: z.boolean(), content: z.record(z.string(), z.object({ schema: z.unknown() })) }).optional(),
            /** Status → answer; "default" is the problem+json refusal. */
            responses: z.record(z.string(), z.object({ description: z.string(), content: z.record(z.string(), z.object({ schema: z.unknown() })).optional() })),
          }),
        ),
      ),
      components: z.object({ securitySchemes: z.record(z.string(), z.unknown()), schemas: z.record(z.string(), z.unknown()) }),
    }),
  }),
  me: route({
    method: "GET",
    path: "/api/v1/me",
    tag: "system",
    summary: "The caller: user, role and permissions",
    access: "authenticated",
    response: meView,
  }),
  session: {
    get: route({
      method: "GET",
      path: "/api/v1/session",
      tag: "system",
      summary: "The caller's browser session: seconds left before the idle timeout and the absolute cap (null for an API token). Reading it is not activity",
      access: "authenticated",
      response: sessionAnswer,
    }),
    activity: route({
      method: "POST",
      path: "/api/v1/session/activity",
      tag: "system",
      summary:
        "Tell the console its user is at work (input on a page; sent at most once a minute): the idle timeout starts again. 409 for an API token, which has no session",
      access: "authenticated",
      response: sessionAnswer,
    }),
  },
  sessions: {
    list: route({
      method: "GET",
      path: "/api/v1/sessions",
      tag: "users",
      summary: "Open browser sessions and wall displays: who, from where, since when, last activity, expiry",
      access: "users:manage",
      response: sessionListAnswer,
    }),
    end: route({
      method: "DELETE",
      path: "/api/v1/sessions/{id}",
      tag: "users",
      summary: "End a browser session or a wall display now: its cookie is refused from its next request",
      access: "users:manage",
      params: idParams,
      response: sessionItem,
    }),
  },
  displays: {
    create: route({
      method: "POST",
      path: "/api/v1/displays",
      tag: "users",
      summary:
        "Make a wall display: read-only, no idle timeout, works for the given days. The answer holds its one-time link code (15 minutes), shown this once",
      access: "users:manage",
      body: displayCreate,
      status: 201,
      response: createdDisplay,
    }),
    claim: route({
      method: "POST",
      path: "/api/v1/displays/claim",
      tag: "users",
      summary: "Open a wall display's link (once, within 15 minutes of its making): sets the display's session cookie",
      access: "public",
      body: displayClaim,
      response: displayClaimAnswer,
    }),
  },
  summary: route({
    method: "GET",
    path: "/api/v1/summary",
    tag: "system",
    summary: "Per-tier counts, health and capacity",
    access: "inventory:read",
    response: inv.summaryView,
  }),
  attention: route({
    method: "GET",
    path: "/api/v1/attention",
    tag: "system",
    summary:
      "What needs attention, worst first then oldest: subjects not up or not in service, operations running or awaiting approval, drift, missing N+1 capacity, no healthy replica, paused automatic failover (every cluster, or one)",
    access: "inventory:read",
    query: attentionQuery,
    response: attentionView,
  }),

  clusters: crud("clusters", "clusters", "cluster", {
    list: inv.clusterList,
    create: inv.clusterCreate,
    update: inv.clusterUpdate,
    item: inv.clusterView,
    detail: inv.clusterView,
  }),
  loadBalancers: crud("load-balancers", "load-balancers", "load balancer", {
    list: inv.loadBalancerList,
    create: inv.loadBalancerCreate,
    update: inv.loadBalancerUpdate,
    item: inv.loadBalancerView,
    detail: inv.loadBalancerDetail,
  }),
  poolMembers: {
    add: route({
      method: "POST",
      path: "/api/v1/load-balancers/{id}/members",
      tag: "load-balancers",
      summary: "Add a node to a load balancer's pool",
      access: "inventory:write",
      params: idParams,
      body: inv.poolMemberCreate,
      status: 201,
      response: inv.poolMemberView,
    }),
    update: route({
      method: "PATCH",
      path: "/api/v1/load-balancers/{id}/members/{nodeId}",
      tag: "load-balancers",
      summary: "Change a pool member's weight or backup flag",
      access: "inventory:write",
      params: inv.poolMemberParams,
      body: inv.poolMemberUpdate,
      response: inv.poolMemberView,
    }),
    remove: route({
      method: "DELETE",
      path: "/api/v1/load-balancers/{id}/members/{nodeId}",
      tag: "load-balancers",
      summary: "Remove a node from a load balancer's pool",
      access: "inventory:write",
      params: inv.poolMemberParams,
      status: 204,
    }),
  },
  nodes: crud("nodes", "nodes", "node", { list: inv.nodeList, create: inv.nodeCreate, update: inv.nodeUpdate, item: inv.nodeView, detail: inv.nodeDetail }),
  databases: crud("databases", "databases", "database instance", {
    list: inv.databaseList,
    create: inv.databaseCreate,
    update: inv.databaseUpdate,
    item: inv.databaseView,
    detail: inv.databaseView,
  }),
  poolers: crud("poolers", "poolers", "connection pooler", {
    list: inv.poolerList,
    create: inv.poolerCreate,
    update: inv.poolerUpdate,
    item: inv.poolerView,
    detail: inv.poolerView,
  }),

  databaseReplication: route({
    method: "GET",
    path: "/api/v1/databases/{id}/replication",
    tag: "databases",
    summary:
      "The member's replication asked of its agent now: standbys streaming from it (LSNs, lag, state, slot), its replication slots (WAL kept, over the limit or not), WAL archiving; each standby and slot tied to its inventory member when known",
    access: "inventory:read",
    params: idParams,
    response: inv.databaseReplicationView,
  }),

  agentCredentials: {
    node: route({
      method: "POST",
      path: "/api/v1/nodes/{id}/agent-credential",
      tag: "agents",
      summary: "Issue (or rotate) the node agent's credential; the answer holds its secret and config, shown this once",
      access: "agents:enrol",
      params: idParams,
      status: 201,
      response: agentCredentialIssued,
    }),
    loadBalancer: route({
      method: "POST",
      path: "/api/v1/load-balancers/{id}/agent-credential",
      tag: "agents",
      summary: "Issue (or rotate) the load balancer agent's credential, shown this once",
      access: "agents:enrol",
      params: idParams,
      status: 201,
      response: agentCredentialIssued,
    }),
    database: route({
      method: "POST",
      path: "/api/v1/databases/{id}/agent-credential",
      tag: "agents",
      summary: "Issue (or rotate) the database agent's credential, shown this once",
      access: "agents:enrol",
      params: idParams,
      status: 201,
      response: agentCredentialIssued,
    }),
    pooler: route({
      method: "POST",
      path: "/api/v1/poolers/{id}/agent-credential",
      tag: "agents",
      summary: "Issue (or rotate) the connection pooler agent's credential (role pgbouncer), shown this once",
      access: "agents:enrol",
      params: idParams,
      status: 201,
      response: agentCredentialIssued,
    }),
  },

  events: {
    list: route({
      method: "GET",
      path: "/api/v1/events",
      tag: "events",
      summary: "The events timeline, newest first",
      access: "events:read",
      query: eventList,
      response: eventPage,
    }),
    acknowledge: route({
      method: "POST",
      path: "/api/v1/events/{id}/acknowledge",
      tag: "events",
      summary: "Acknowledge an event (with an optional note)",
      access: "events:acknowledge",
      params: eventParams,
      body: acknowledgeBody,
      response: eventItem,
    }),
    acknowledgeMany: route({
      method: "POST",
      path: "/api/v1/events/acknowledge",
      tag: "events",
      summary:
        "Acknowledge up to 500 events at once (with an optional note), audited once with the count. Any unknown id: 404 listing them (`missing`), nothing written; events already acknowledged are listed apart and keep their first acknowledgement",
      access: "events:acknowledge",
      body: bulkAcknowledgeBody,
      response: bulkAcknowledgeAnswer,
    }),
  },
  stream: route({
    method: "GET",
    path: "/api/v1/stream",
    tag: "events",
    summary: "Server-Sent Events: events (with ids, resumable with Last-Event-ID), live metric points, change notices",
    access: "events:read",
    query: streamQuery,
    produces: "text/event-stream",
  }),

  metrics: route({
    method: "GET",
    path: "/api/v1/metrics",
    tag: "metrics",
    summary:
      "Stored metric series of one subject, or of every subject of a type (at most 50: unhealthy first, then the busiest), over 15m, 1h, 24h or 7d (at most 500 points a series)",
    access: "inventory:read",
    query: metricsQuery,
    response: metricsAnswer,
  }),

  audit: route({
    method: "GET",
    path: "/api/v1/audit",
    tag: "audit",
    summary: "The audit trail, newest first",
    access: "audit:read",
    query: auditList,
    response: auditPage,
  }),

  users: {
    list: route({ method: "GET", path: "/api/v1/users", tag: "users", summary: "List users", access: "users:manage", query: userList, response: userPage }),
    create: route({
      method: "POST",
      path: "/api/v1/users",
      tag: "users",
      summary: "Create a user",
      access: "users:manage",
      body: userCreate,
      status: 201,
      response: userItem,
    }),
    update: route({
      method: "PATCH",
      path: "/api/v1/users/{id}",
      tag: "users",
      summary: "Change a user's name, role or disabled flag",
      access: "users:manage",
      params: idParams,
      body: userUpdate,
      response: userItem,
    }),
    resetPassword: route({
      method: "POST",
      path: "/api/v1/users/{id}/password",
      tag: "users",
      summary: "Set a new password (ends the user's sessions)",
      access: "users:manage",
      params: idParams,
      body: passwordReset,
      response: userItem,
    }),
  },
  tokens: {
    list: route({
      method: "GET",
      path: "/api/v1/tokens",
      tag: "tokens",
      summary: "List API tokens (never their secrets)",
      access: "tokens:manage",
      query: tokenList,
      response: tokenPage,
    }),
    create: route({
      method: "POST",
      path: "/api/v1/tokens",
      tag: "tokens",
      summary: "Create an API token; the answer holds the token, shown this once",
      access: "tokens:manage",
      body: tokenCreate,
      status: 201,
      response: createdToken,
    }),
    revoke: route({
      method: "DELETE",
      path: "/api/v1/tokens/{id}",
      tag: "tokens",
      summary: "Revoke an API token",
      access: "tokens:manage",
      params: idParams,
      response: tokenItem,
    }),
  },

  config: {
    scopes: route({
      method: "GET",
      path: "/api/v1/config/scopes",
      tag: "config",
      summary:
        "Every configuration (app and PostgreSQL settings per cluster, HAProxy per load balancer) with its latest revision, drift and deployment in progress",
      access: "config:read",
      response: z.array(cfg.scopeSummary),
    }),
    scope: route({
      method: "GET",
      path: "/api/v1/config/scopes/{scope}",
      tag: "config",
      summary: "One configuration: its targets (applied, reported, drift), revisions and recent deployments; secrets masked without config:write",
      access: "config:read",
      params: cfg.scopeParams,
      query: cfg.scopeQuery,
      response: cfg.scopeAnswer,
    }),
    draft: route({
      method: "GET",
      path: "/api/v1/config/scopes/{scope}/draft",
      tag: "config",
      summary: "What a new revision starts from: the latest input (HAProxy re-rendered from today's pool) or defaults",
      access: "config:read",
      params: cfg.scopeParams,
      response: cfg.draftAnswer,
    }),
    validate: route({
      method: "POST",
      path: "/api/v1/config/scopes/{scope}/validate",
      tag: "config",
      summary: "Render and check a candidate without saving it (HAProxy: haproxy -c by the load balancer's agent); with its diff against the latest revision",
      access: "config:write",
      params: cfg.scopeParams,
      body: cfg.candidateBody,
      maxBodyBytes: 256 * 1024,
      response: cfg.validationAnswer,
    }),
    createRevision: route({
      method: "POST",
      path: "/api/v1/config/scopes/{scope}/revisions",
      tag: "config",
      summary: "Save a new revision (validated first; refused with each problem and its line)",
      access: "config:write",
      params: cfg.scopeParams,
      body: cfg.revisionCreate,
      status: 201,
      maxBodyBytes: 256 * 1024,
      response: cfg.revisionAnswer,
    }),
    revision: route({
      method: "GET",
      path: "/api/v1/config/revisions/{id}",
      tag: "config",
      summary: "One revision; secrets masked without config:write",
      access: "config:read",
      params: cfg.revisionParams,
      response: cfg.revisionAnswer,
    }),
    diff: route({
      method: "GET",
      path: "/api/v1/config/revisions/{id}/diff",
      tag: "config",
      summary: "Line diff of a revision against another of the same configuration (default: the one before it)",
      access: "config:read",
      params: cfg.revisionParams,
      query: cfg.diffQuery,
      response: cfg.revisionDiffAnswer,
    }),
    rollback: route({
      method: "POST",
      path: "/api/v1/config/revisions/{id}/rollback",
      tag: "config",
      summary: "Save a new revision with this revision's exact content (deploy it to roll back)",
      access: "config:write",
      params: cfg.revisionParams,
      body: cfg.rollbackBody,
      status: 201,
      response: cfg.revisionAnswer,
    }),
    deploy: route({
      method: "POST",
      path: "/api/v1/config/revisions/{id}/deploy",
      tag: "config",
      summary:
        "Start a rolling deployment (202 with the operation; Idempotency-Key header honoured; 409 while another deployment of the same configuration runs)",
      access: "config:write",
      params: cfg.revisionParams,
      body: cfg.deployRequest,
      status: 202,
      response: ops.operationAnswer,
    }),
    running: route({
      method: "GET",
      path: "/api/v1/config/targets/{type}/{id}/running",
      tag: "config",
      summary: "What the target's agent runs against what it should run, with the diff",
      access: "config:read",
      params: cfg.targetParams,
      response: cfg.runningAnswer,
    }),
    reconcile: route({
      method: "POST",
      path: "/api/v1/config/targets/{type}/{id}/reconcile",
      tag: "config",
      summary: "Deploy again, to this target only, the revision it should run (ends drift)",
      access: "config:write",
      params: cfg.targetParams,
      body: cfg.reasonBody,
      status: 202,
      response: ops.operationAnswer,
    }),
  },

  nodeActions: {
    drainImpact: route({
      method: "GET",
      path: "/api/v1/nodes/{id}/drain-impact",
      tag: "operations",
      summary: "What draining this node would leave: load, the other nodes' capacity, whether they can carry it",
      access: "operations:read",
      params: idParams,
      response: ops.drainImpactAnswer,
    }),
    drain: route({
      method: "POST",
      path: "/api/v1/nodes/{id}/drain",
      tag: "operations",
      summary:
        "Drain the node (202 with the operation): DRAIN in every load balancer, the app stops taking sessions, sessions followed to zero, escalation at the deadline. Refused (409) when the other nodes cannot carry the load unless forced with a reason; 409 naming the operation while another runs on the node; Idempotency-Key honoured",
      access: "operations:run",
      params: idParams,
      body: ops.drainRequest,
      status: 202,
      response: ops.operationAnswer,
    }),
    resume: route({
      method: "POST",
      path: "/api/v1/nodes/{id}/resume",
      tag: "operations",
      summary: "Return the node to service with slow start (202 with the operation)",
      access: "operations:run",
      params: idParams,
      body: ops.resumeRequest,
      status: 202,
      response: ops.operationAnswer,
    }),
    maintenance: route({
      method: "POST",
      path: "/api/v1/nodes/{id}/maintenance",
      tag: "operations",
      summary: "Take the node out of every load balancer at once (MAINT), with a reason and an optional end (202 with the operation)",
      access: "operations:run",
      params: idParams,
      body: ops.maintenanceRequest,
      status: 202,
      response: ops.operationAnswer,
    }),
  },

  databaseActions: {
    promotionCheck: route({
      method: "GET",
      path: "/api/v1/clusters/{id}/promotion-check",
      tag: "operations",
      summary:
        "Every database member checked live: recovery, timeline, LSNs, lag, replay paused; for each replica what blocks promoting it and the estimated data loss; the generation to send back",
      access: "operations:read",
      params: idParams,
      response: promotionCheckAnswer,
    }),
    rebuild: route({
      method: "POST",
      path: "/api/v1/databases/{id}/rebuild",
      tag: "operations",
      summary:
        "Rebuild a replica (a fenced former primary, or one that cannot stream) as a streaming replica of the current primary: it follows as it is when it can, else pg_rewind, else a fresh clone (202 with the operation)",
      access: "operations:run",
      params: idParams,
      body: cfg.reasonBody,
      status: 202,
      response: ops.operationAnswer,
    }),
    autoFailover: route({
      method: "POST",
      path: "/api/v1/clusters/{id}/auto-failover",
      tag: "operations",
      summary: "Turn automatic failover on or off (admins), or pause and unpause it (operators), with a reason",
      access: "operations:run",
      params: idParams,
      body: autoFailoverRequest,
      response: autoFailoverAnswer,
    }),
    replicationMode: route({
      method: "POST",
      path: "/api/v1/clusters/{id}/replication-mode",
      tag: "operations",
      summary:
        "Set the cluster's synchronous replication (admins, with a reason): UNMANAGED (the default: the console neither sets nor clears synchronous_standby_names), ASYNC, SYNC (one standby, FIRST 1) or QUORUM (ANY n), and what happens when the last synchronous standby is lost: WAIT (commits wait) or DEGRADE (async, with an event). The worker renders synchronous_standby_names for the primary only, from the replica members",
      access: "settings:write",
      params: idParams,
      body: replicationModeRequest,
      response: replicationModeAnswer,
    }),
    promote: route({
      method: "POST",
      path: "/api/v1/clusters/{id}/promote",
      tag: "operations",
      summary:
        "Promote a replica (202 with the operation): fence the old primary, wait until the candidate replayed its last WAL (else lift the fence and promote nothing, unless forced), stop it, pg_promote(), verify the timeline, make slots on the new primary, re-point replicas, point the apps, and rejoin the old primary as a replica when it stopped in order. Refused (409) when the primary or generation changed, or the candidate is behind or lagging unless forced with the typed acknowledgement",
      access: "operations:run",
      params: idParams,
      body: promoteRequest,
      status: 202,
      response: ops.operationAnswer,
    }),
  },

  settings: {
    twoPersonRule: route({
      method: "GET",
      path: "/api/v1/settings/two-person-rule",
      tag: "settings",
      summary: "Whether promotions and forced actions wait for a second person",
      access: "operations:read",
      response: twoPersonRuleAnswer,
    }),
    setTwoPersonRule: route({
      method: "POST",
      path: "/api/v1/settings/two-person-rule",
      tag: "settings",
      summary: "Turn the two-person rule on or off, with a reason",
      access: "settings:write",
      body: twoPersonRuleBody,
      response: twoPersonRuleAnswer,
    }),
    linkLocalDestinations: route({
      method: "GET",
      path: "/api/v1/settings/link-local-destinations",
      tag: "settings",
      summary: "Whether the console may connect to link-local and cloud metadata addresses (agent URLs, probes); off by default",
      access: "settings:write",
      response: linkLocalDestinationsAnswer,
    }),
    setLinkLocalDestinations: route({
      method: "POST",
      path: "/api/v1/settings/link-local-destinations",
      tag: "settings",
      summary:
        "Allow or refuse link-local and cloud metadata destinations (169.254.0.0/16, fe80::/10, their IPv6 forms, metadata addresses), with a reason; applies to every process within 5 s",
      access: "settings:write",
      body: linkLocalDestinationsBody,
      response: linkLocalDestinationsAnswer,
    }),
  },

  operations: {
    list: route({
      method: "GET",
      path: "/api/v1/operations",
      tag: "operations",
      summary: "Durable operations (configuration deployments, node drains, resumes and maintenance, database promotions and rebuilds), newest first",
      access: "operations:read",
      query: cfg.operationList,
      response: z.array(ops.operationListItem),
    }),
    get: route({
      method: "GET",
      path: "/api/v1/operations/{id}",
      tag: "operations",
      summary: "One operation with its steps and per-target progress",
      access: "operations:read",
      params: cfg.operationParams,
      response: ops.operationAnswer,
    }),
    approve: route({
      method: "POST",
      path: "/api/v1/operations/{id}/approve",
      tag: "operations",
      summary: "Approve an operation waiting under the two-person rule (a second operator or admin, not the requester)",
      access: "operations:run",
      params: cfg.operationParams,
      body: cfg.reasonBody,
      response: ops.approveAnswer,
    }),
    cancel: route({
      method: "POST",
      path: "/api/v1/operations/{id}/cancel",
      tag: "operations",
      summary:
        "Ask an operation to stop where that is safe: a deployment at its next batch boundary (needs config:write), a drain before the next check (the node stays draining); others refuse (409)",
      access: "operations:run",
      params: cfg.operationParams,
      body: cfg.reasonBody,
      response: ops.cancelAnswer,
    }),
  },
} as const;
