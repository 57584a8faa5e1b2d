import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HlsTranscodes1795832876011 implements MigrationInterface {
  name = 'HlsTranscodes1795832876011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hls_transcodes" ("id" uuid NOT NULL, "itemId" uuid NOT NULL, "fileId" uuid NOT NULL, "variantKey" text NOT NULL, "rendition" character varying(16) NOT NULL, "audioStreamIndex" integer, "startSegment" integer NOT NULL, "nextSegment" integer NOT NULL, "lastSegment" integer NOT NULL, "requestedSegment" integer NOT NULL, "state" character varying(16) NOT NULL, "jobId" character varying(64), "workerId" text, "host" text, "workerPid" integer, "viewers" jsonb NOT NULL DEFAULT '{}', "lastRequestAt" TIMESTAMP WITH TIME ZONE NOT NULL, "heartbeatAt" TIMESTAMP WITH TIME ZONE, "error" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "endedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_7d2825235decbb841e1cb4605e6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_hls_transcodes_item" ON "hls_transcodes"  ("itemId") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_hls_transcodes_variant_live" ON "hls_transcodes"  ("variantKey") WHERE state IN ('queued', 'running')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_hls_transcodes_variant_live"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_hls_transcodes_item"`);
    await queryRunner.query(`DROP TABLE "hls_transcodes"`);
  }
}
