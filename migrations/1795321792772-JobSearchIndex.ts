import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Written by hand (the generator cannot express it): a trigram index for the job dashboard's text
 * search, which matches JOB_SEARCH_EXPRESSION in libs/jobs/src/triage/jobs-query.service.ts with
 * ILIKE '%…%'. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
 */
export class JobSearchIndex1795321792772 implements MigrationInterface {
  name = 'JobSearchIndex1795321792772';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX "IDX_job_runs_search" ON "job_runs" USING gin ((name || ' ' || coalesce("targetLabel", '') || ' ' || coalesce(error, '') || ' ' || id) gin_trgm_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_search"`);
  }
}
