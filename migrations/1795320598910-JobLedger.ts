import type { MigrationInterface, QueryRunner } from 'typeorm';

export class JobLedger1795320598910 implements MigrationInterface {
  name = 'JobLedger1795320598910';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "job_events" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "type" character varying(32) NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_77f0d06e95eed355f7a38f6093b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_job_events_at" ON "job_events"  ("at") `);
    await queryRunner.query(
      `CREATE TABLE "job_logs" ("id" BIGSERIAL NOT NULL, "jobId" character varying(64) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "level" character varying(8) NOT NULL, "message" text NOT NULL, CONSTRAINT "PK_58193ed7a13b6627e99dc1c0985" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_job_logs_job" ON "job_logs"  ("jobId", "id") `);
    await queryRunner.query(`ALTER TABLE "job_runs" ADD "cancelRequestedAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "job_runs" ADD "workerId" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "job_runs" ADD "durationMs" integer`);
    await queryRunner.query(`ALTER TABLE "job_runs" ADD "logCount" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`CREATE INDEX "IDX_job_runs_finished" ON "job_runs"  ("finishedAt") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_job_runs_dedupe_open" ON "job_runs"  ("dedupeKey") WHERE "state" IN ('queued', 'active')`,
    );
    await queryRunner.query(
      `ALTER TABLE "job_logs" ADD CONSTRAINT "FK_35fcfcba9d292c0c1738b8edd97" FOREIGN KEY ("jobId") REFERENCES "job_runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "job_logs" DROP CONSTRAINT "FK_35fcfcba9d292c0c1738b8edd97"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_job_runs_dedupe_open"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_finished"`);
    await queryRunner.query(`ALTER TABLE "job_runs" DROP COLUMN "logCount"`);
    await queryRunner.query(`ALTER TABLE "job_runs" DROP COLUMN "durationMs"`);
    await queryRunner.query(`ALTER TABLE "job_runs" DROP COLUMN "workerId"`);
    await queryRunner.query(`ALTER TABLE "job_runs" DROP COLUMN "cancelRequestedAt"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_logs_job"`);
    await queryRunner.query(`DROP TABLE "job_logs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_events_at"`);
    await queryRunner.query(`DROP TABLE "job_events"`);
  }
}
