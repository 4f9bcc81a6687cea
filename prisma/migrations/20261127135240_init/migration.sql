-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'OPERATOR', 'VIEWER');

-- CreateEnum
CREATE TYPE "LoadBalancerKind" AS ENUM ('HAPROXY', 'NGINX', 'APACHE', 'HARDWARE');

-- CreateEnum
CREATE TYPE "LoadBalancerTier" AS ENUM ('EDGE', 'SOFTWARE');

-- CreateEnum
CREATE TYPE "NodeAdminState" AS ENUM ('ACTIVE', 'DRAINING', 'DRAINED', 'MAINTENANCE');

-- CreateEnum
CREATE TYPE "Health" AS ENUM ('UP', 'DEGRADED', 'DOWN', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "DatabaseEngine" AS ENUM ('POSTGRESQL');

-- CreateEnum
CREATE TYPE "DatabaseRole" AS ENUM ('PRIMARY', 'REPLICA');

-- CreateEnum
CREATE TYPE "ReplicationState" AS ENUM ('STREAMING', 'CATCHUP', 'STOPPED', 'NEEDS_REBUILD', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "SubjectType" AS ENUM ('CLUSTER', 'LOAD_BALANCER', 'NODE', 'DATABASE', 'USER', 'API_TOKEN', 'CONFIG', 'OPERATION', 'SYSTEM');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('USER', 'TOKEN', 'SYSTEM', 'AGENT');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('SUCCESS', 'FAILURE', 'DENIED');

-- CreateEnum
CREATE TYPE "ConfigTargetKind" AS ENUM ('APP', 'HAPROXY', 'POSTGRES');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "SampleResolution" AS ENUM ('RAW', 'MINUTE', 'HOUR');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "environment" TEXT NOT NULL DEFAULT 'production',
    "dbGeneration" INTEGER NOT NULL DEFAULT 0,
    "autoFailover" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoadBalancer" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "LoadBalancerKind" NOT NULL,
    "tier" "LoadBalancerTier" NOT NULL DEFAULT 'SOFTWARE',
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "agentUrl" TEXT,
    "health" "Health" NOT NULL DEFAULT 'UNKNOWN',
    "lastSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoadBalancer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Node" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "weight" INTEGER NOT NULL DEFAULT 100,
    "capacity" INTEGER NOT NULL DEFAULT 1000,
    "adminState" "NodeAdminState" NOT NULL DEFAULT 'ACTIVE',
    "health" "Health" NOT NULL DEFAULT 'UNKNOWN',
    "activeSessions" INTEGER NOT NULL DEFAULT 0,
    "maintenanceReason" TEXT,
    "maintenanceUntil" TIMESTAMP(3),
    "agentUrl" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PoolMember" (
    "id" TEXT NOT NULL,
    "loadBalancerId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "weight" INTEGER NOT NULL DEFAULT 100,
    "backup" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PoolMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatabaseInstance" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "engine" "DatabaseEngine" NOT NULL DEFAULT 'POSTGRESQL',
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "role" "DatabaseRole" NOT NULL,
    "replicationState" "ReplicationState" NOT NULL DEFAULT 'UNKNOWN',
    "health" "Health" NOT NULL DEFAULT 'UNKNOWN',
    "timeline" INTEGER,
    "lagBytes" BIGINT,
    "agentUrl" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DatabaseInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentCredential" (
    "id" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "loadBalancerId" TEXT,
    "nodeId" TEXT,
    "databaseInstanceId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "AgentCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuntimeOverride" (
    "id" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "loadBalancerId" TEXT,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "expiresAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuntimeOverride_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "role" "Role" NOT NULL DEFAULT 'VIEWER',
    "passwordHash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "lastLoginAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "ownerId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" BIGSERIAL NOT NULL,
    "subjectType" "SubjectType" NOT NULL,
    "subjectId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolution" "SampleResolution" NOT NULL DEFAULT 'RAW',
    "health" "Health" NOT NULL,
    "sessions" INTEGER,
    "requestRate" DOUBLE PRECISION,
    "latencyMs" DOUBLE PRECISION,
    "cpu" DOUBLE PRECISION,
    "memory" DOUBLE PRECISION,
    "lagBytes" BIGINT,
    "lagSeconds" DOUBLE PRECISION,
    "data" JSONB,

    CONSTRAINT "HealthSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "severity" "Severity" NOT NULL DEFAULT 'INFO',
    "subjectType" "SubjectType" NOT NULL,
    "subjectId" TEXT,
    "clusterId" TEXT,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedById" TEXT,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" "SubjectType" NOT NULL,
    "targetId" TEXT,
    "summary" JSONB,
    "reason" TEXT,
    "requestId" TEXT NOT NULL,
    "clientIp" TEXT,
    "outcome" "AuditOutcome" NOT NULL DEFAULT 'SUCCESS',

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfigRevision" (
    "id" TEXT NOT NULL,
    "targetKind" "ConfigTargetKind" NOT NULL,
    "number" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "authorId" TEXT,
    "message" TEXT NOT NULL,
    "rollbackOf" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConfigRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfigDeployment" (
    "id" TEXT NOT NULL,
    "revisionId" TEXT NOT NULL,
    "operationId" TEXT,
    "targetType" "SubjectType" NOT NULL,
    "targetId" TEXT NOT NULL,
    "batch" INTEGER NOT NULL DEFAULT 0,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'PENDING',
    "checksum" TEXT,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ConfigDeployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "OperationState" NOT NULL DEFAULT 'PENDING',
    "subjectType" "SubjectType" NOT NULL,
    "subjectId" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "requestedById" TEXT,
    "reason" TEXT NOT NULL DEFAULT '',
    "params" JSONB NOT NULL DEFAULT '{}',
    "steps" JSONB NOT NULL DEFAULT '[]',
    "currentStep" TEXT,
    "error" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE INDEX "LoadBalancer_clusterId_idx" ON "LoadBalancer"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "LoadBalancer_clusterId_name_key" ON "LoadBalancer"("clusterId", "name");

-- CreateIndex
CREATE INDEX "Node_clusterId_idx" ON "Node"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "Node_clusterId_name_key" ON "Node"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Node_clusterId_host_port_key" ON "Node"("clusterId", "host", "port");

-- CreateIndex
CREATE INDEX "PoolMember_nodeId_idx" ON "PoolMember"("nodeId");

-- CreateIndex
CREATE UNIQUE INDEX "PoolMember_loadBalancerId_nodeId_key" ON "PoolMember"("loadBalancerId", "nodeId");

-- CreateIndex
CREATE INDEX "DatabaseInstance_clusterId_idx" ON "DatabaseInstance"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseInstance_clusterId_name_key" ON "DatabaseInstance"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseInstance_clusterId_host_port_key" ON "DatabaseInstance"("clusterId", "host", "port");

-- CreateIndex
CREATE UNIQUE INDEX "AgentCredential_keyId_key" ON "AgentCredential"("keyId");

-- CreateIndex
CREATE INDEX "AgentCredential_nodeId_idx" ON "AgentCredential"("nodeId");

-- CreateIndex
CREATE INDEX "AgentCredential_loadBalancerId_idx" ON "AgentCredential"("loadBalancerId");

-- CreateIndex
CREATE INDEX "AgentCredential_databaseInstanceId_idx" ON "AgentCredential"("databaseInstanceId");

-- CreateIndex
CREATE UNIQUE INDEX "RuntimeOverride_nodeId_loadBalancerId_kind_key" ON "RuntimeOverride"("nodeId", "loadBalancerId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_ownerId_idx" ON "ApiToken"("ownerId");

-- CreateIndex
CREATE INDEX "HealthSample_subjectType_subjectId_resolution_at_idx" ON "HealthSample"("subjectType", "subjectId", "resolution", "at");

-- CreateIndex
CREATE INDEX "HealthSample_resolution_at_idx" ON "HealthSample"("resolution", "at");

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE INDEX "Event_subjectType_subjectId_at_idx" ON "Event"("subjectType", "subjectId", "at");

-- CreateIndex
CREATE INDEX "Event_clusterId_at_idx" ON "Event"("clusterId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE INDEX "AuditEntry_action_at_idx" ON "AuditEntry"("action", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_targetType_targetId_at_idx" ON "AuditEntry"("targetType", "targetId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_actorId_at_idx" ON "AuditEntry"("actorId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigRevision_targetKind_number_key" ON "ConfigRevision"("targetKind", "number");

-- CreateIndex
CREATE INDEX "ConfigDeployment_revisionId_idx" ON "ConfigDeployment"("revisionId");

-- CreateIndex
CREATE INDEX "ConfigDeployment_operationId_idx" ON "ConfigDeployment"("operationId");

-- CreateIndex
CREATE INDEX "ConfigDeployment_targetType_targetId_idx" ON "ConfigDeployment"("targetType", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_idempotencyKey_key" ON "Operation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Operation_state_idx" ON "Operation"("state");

-- CreateIndex
CREATE INDEX "Operation_subjectType_subjectId_idx" ON "Operation"("subjectType", "subjectId");

-- AddForeignKey
ALTER TABLE "LoadBalancer" ADD CONSTRAINT "LoadBalancer_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Node" ADD CONSTRAINT "Node_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PoolMember" ADD CONSTRAINT "PoolMember_loadBalancerId_fkey" FOREIGN KEY ("loadBalancerId") REFERENCES "LoadBalancer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PoolMember" ADD CONSTRAINT "PoolMember_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatabaseInstance" ADD CONSTRAINT "DatabaseInstance_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentCredential" ADD CONSTRAINT "AgentCredential_loadBalancerId_fkey" FOREIGN KEY ("loadBalancerId") REFERENCES "LoadBalancer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentCredential" ADD CONSTRAINT "AgentCredential_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentCredential" ADD CONSTRAINT "AgentCredential_databaseInstanceId_fkey" FOREIGN KEY ("databaseInstanceId") REFERENCES "DatabaseInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuntimeOverride" ADD CONSTRAINT "RuntimeOverride_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuntimeOverride" ADD CONSTRAINT "RuntimeOverride_loadBalancerId_fkey" FOREIGN KEY ("loadBalancerId") REFERENCES "LoadBalancer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigDeployment" ADD CONSTRAINT "ConfigDeployment_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "ConfigRevision"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigDeployment" ADD CONSTRAINT "ConfigDeployment_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
