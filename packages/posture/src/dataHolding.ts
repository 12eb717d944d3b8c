// Which resource kinds hold data. A data-holding resource of a service that no rule assessed is reported
// `NotAssessed` — never silently left out of the service's RPO — and the table shows the coverage.
// Kinds not listed here are taken to be stateless (a record, a role, a policy, a deployment): they are
// listed as not assessed in the inventory and cannot lose data.
import { BUCKET } from "./rules/s3";
import { NEON_PROJECT } from "./rules/neon";
import { REDIS_REPLICATION } from "./rules/redis";

export interface DataHoldingKind {
  /** what the resource keeps that a disruption can lose */
  readonly holds: string;
  /**
   * true when a drkit rule models it (it is still `NotAssessed` in a shape the rule cannot judge, e.g. a
   * volume no Velero schedule covers); false: always `NotAssessed` (waive it, or protect it another way)
   */
  readonly modelled: boolean;
}

const kind = (holds: string, modelled = false): DataHoldingKind => ({ holds, modelled });

/** Data-holding resource kinds by type token. */
export const DATA_HOLDING_KINDS: Readonly<Record<string, DataHoldingKind>> = {
  [BUCKET]: kind("objects", true),
  [NEON_PROJECT]: kind("a Postgres database", true),
  [REDIS_REPLICATION]: kind("a Redis dataset", true),
  "aws:s3/bucketV2:BucketV2": kind(
    "objects (deprecated kind: drkit models aws:s3/bucket:Bucket and its separate configuration resources)",
  ),
  "aws:rds/instance:Instance": kind("a relational database"),
  "aws:rds/cluster:Cluster": kind("an Aurora or Multi-AZ DB cluster"),
  "aws:rds/globalCluster:GlobalCluster": kind("an Aurora global database"),
  "aws:dynamodb/table:Table": kind("a DynamoDB table"),
  "aws:dynamodb/globalTable:GlobalTable": kind("a DynamoDB global table"),
  "aws:efs/fileSystem:FileSystem": kind("an EFS file system"),
  "aws:ebs/volume:Volume": kind("an EBS volume"),
  "aws:fsx/lustreFileSystem:LustreFileSystem": kind("an FSx for Lustre file system"),
  "aws:fsx/ontapFileSystem:OntapFileSystem": kind("an FSx for ONTAP file system"),
  "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": kind("an FSx for OpenZFS file system"),
  "aws:fsx/windowsFileSystem:WindowsFileSystem": kind("an FSx for Windows file system"),
  "aws:elasticache/cluster:Cluster": kind("an ElastiCache cluster"),
  "aws:elasticache/replicationGroup:ReplicationGroup": kind("an ElastiCache replication group"),
  "aws:elasticache/serverlessCache:ServerlessCache": kind("an ElastiCache serverless cache"),
  "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": kind("an ElastiCache global datastore"),
  "aws:memorydb/cluster:Cluster": kind("a MemoryDB cluster"),
  "aws:docdb/cluster:Cluster": kind("a DocumentDB cluster"),
  "aws:neptune/cluster:Cluster": kind("a Neptune cluster"),
  "aws:redshift/cluster:Cluster": kind("a Redshift cluster"),
  "aws:opensearch/domain:Domain": kind("an OpenSearch domain"),
  "aws:sqs/queue:Queue": kind("queued messages"),
  "aws:kinesis/stream:Stream": kind("stream records"),
  "aws:msk/cluster:Cluster": kind("Kafka topics"),
  "aws:keyspaces/table:Table": kind("a Keyspaces table"),
  "aws:timestreamwrite/table:Table": kind("a Timestream table"),
  "aws:backup/vault:Vault": kind("AWS Backup recovery points"),
  // Judged through the Velero schedule of their cluster that covers them; otherwise NotAssessed.
  "kubernetes:core/v1:PersistentVolumeClaim": kind("a persistent volume's data", true),
  "kubernetes:core/v1:PersistentVolume": kind("a persistent volume's data", true),
  "kubernetes:apps/v1:StatefulSet": kind("its pods' persistent volumes", true),
};

export function dataHoldingKind(type: string): DataHoldingKind | undefined {
  return Object.prototype.hasOwnProperty.call(DATA_HOLDING_KINDS, type)
    ? DATA_HOLDING_KINDS[type]
    : undefined;
}
