import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795317170343 implements MigrationInterface {
  name = 'Initial1795317170343';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."user_role" AS ENUM('admin', 'user')`);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "email" character varying(254), "displayName" character varying(64), "passwordHash" text NOT NULL, "role" "public"."user_role" NOT NULL DEFAULT 'user', "disabled" boolean NOT NULL DEFAULT false, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    // Reviewed addition: usernames and emails are unique case-insensitively (expression indexes the
    // generator cannot express; the User entity declares them with synchronize: false).
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_username_lower" ON "users" (lower("username"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_lower" ON "users" (lower("email")) WHERE "email" IS NOT NULL`);
    await queryRunner.query(`CREATE TYPE "public"."job_state" AS ENUM('queued', 'active', 'completed', 'failed', 'cancelled')`);
    await queryRunner.query(
      `CREATE TABLE "job_runs" ("id" character varying(64) NOT NULL, "queue" character varying(32) NOT NULL, "name" character varying(64) NOT NULL, "state" "public"."job_state" NOT NULL DEFAULT 'queued', "targetType" character varying(32), "targetId" character varying(64), "targetLabel" text, "payload" jsonb NOT NULL DEFAULT '{}'::jsonb, "result" jsonb, "progress" smallint NOT NULL DEFAULT '0', "progressMessage" text, "attempts" integer NOT NULL DEFAULT '0', "maxAttempts" integer NOT NULL DEFAULT '1', "priority" integer NOT NULL DEFAULT '0', "dedupeKey" character varying(200), "error" text, "stack" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4d0012c04fcfc287550b76be7e9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_job_runs_created" ON "job_runs"  ("createdAt") `);
    await queryRunner.query(`CREATE INDEX "IDX_job_runs_target" ON "job_runs"  ("targetType", "targetId") `);
    await queryRunner.query(`CREATE INDEX "IDX_job_runs_state_created" ON "job_runs"  ("state", "createdAt") `);
    await queryRunner.query(`CREATE INDEX "IDX_job_runs_queue_state_created" ON "job_runs"  ("queue", "state", "createdAt") `);
    await queryRunner.query(`CREATE TYPE "public"."library_kind" AS ENUM('movies', 'series', 'music', 'images', 'mixed')`);
    await queryRunner.query(
      `CREATE TABLE "libraries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "kind" "public"."library_kind" NOT NULL, "folders" text array NOT NULL DEFAULT '{}', "scanIntervalMinutes" integer, "lastScannedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_505fedfcad00a09b3734b4223de" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."media_item_type" AS ENUM('movie', 'extra', 'series', 'season', 'episode', 'artist', 'album', 'track', 'gallery', 'image')`,
    );
    await queryRunner.query(
      `CREATE TABLE "media_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "libraryId" uuid NOT NULL, "parentId" uuid, "type" "public"."media_item_type" NOT NULL, "title" text NOT NULL, "sortTitle" text, "originalTitle" text, "year" integer, "overview" text, "indexNumber" integer, "parentIndexNumber" integer, "durationMs" bigint, "providerIds" jsonb NOT NULL DEFAULT '{}'::jsonb, "lockedFields" text array NOT NULL DEFAULT '{}', "missingSince" TIMESTAMP WITH TIME ZONE, "addedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c23c721eba990b8d9c28c48592c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_media_items_parent" ON "media_items"  ("parentId") `);
    await queryRunner.query(`CREATE INDEX "IDX_media_items_library_type" ON "media_items"  ("libraryId", "type") `);
    await queryRunner.query(
      `CREATE TABLE "media_files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "itemId" uuid NOT NULL, "libraryId" uuid NOT NULL, "path" text NOT NULL, "size" bigint NOT NULL, "mtime" TIMESTAMP WITH TIME ZONE NOT NULL, "container" character varying(32), "durationMs" bigint, "bitrate" bigint, "md5" character(32), "oshash" character(16), "phash" character(16), "probedAt" TIMESTAMP WITH TIME ZONE, "missingSince" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_93b4da6741cd150e76f9ac035d8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_media_files_path" ON "media_files"  ("path") `);
    await queryRunner.query(`CREATE INDEX "IDX_media_files_oshash" ON "media_files"  ("oshash") `);
    await queryRunner.query(`CREATE INDEX "IDX_media_files_item" ON "media_files"  ("itemId") `);
    await queryRunner.query(`CREATE TYPE "public"."media_stream_type" AS ENUM('video', 'audio', 'subtitle', 'attachment', 'data')`);
    await queryRunner.query(
      `CREATE TABLE "media_streams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "fileId" uuid NOT NULL, "streamIndex" integer NOT NULL, "type" "public"."media_stream_type" NOT NULL, "codec" character varying(32), "profile" character varying(64), "language" character varying(16), "title" text, "width" integer, "height" integer, "frameRate" double precision, "bitrate" bigint, "bitDepth" integer, "sampleRate" integer, "channels" integer, "channelLayout" character varying(32), "hdr" character varying(16), "isDefault" boolean NOT NULL DEFAULT false, "isForced" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_2b470284d8ef46864e0537d8482" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_media_streams_file_index" ON "media_streams"  ("fileId", "streamIndex") `);
    await queryRunner.query(
      `CREATE TABLE "worker_heartbeats" ("id" character varying(200) NOT NULL, "hostname" character varying(128) NOT NULL, "pid" integer NOT NULL, "version" character varying(32) NOT NULL, "startedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "lastSeenAt" TIMESTAMP WITH TIME ZONE NOT NULL, "stoppedAt" TIMESTAMP WITH TIME ZONE, "checks" jsonb NOT NULL DEFAULT '{}'::jsonb, CONSTRAINT "PK_b78cac2cb4a34485da0553fd5c9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "media_items" ADD CONSTRAINT "FK_a9ec6417e1504e7a561ab369be8" FOREIGN KEY ("libraryId") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "media_items" ADD CONSTRAINT "FK_2016ca077c461461930f742535a" FOREIGN KEY ("parentId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "media_files" ADD CONSTRAINT "FK_5c78bb30d607308a605023f48f8" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "media_streams" ADD CONSTRAINT "FK_79bb71fa0ed01a9d6844132c9d6" FOREIGN KEY ("fileId") REFERENCES "media_files"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "media_streams" DROP CONSTRAINT "FK_79bb71fa0ed01a9d6844132c9d6"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP CONSTRAINT "FK_5c78bb30d607308a605023f48f8"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP CONSTRAINT "FK_2016ca077c461461930f742535a"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP CONSTRAINT "FK_a9ec6417e1504e7a561ab369be8"`);
    await queryRunner.query(`DROP TABLE "worker_heartbeats"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_media_streams_file_index"`);
    await queryRunner.query(`DROP TABLE "media_streams"`);
    await queryRunner.query(`DROP TYPE "public"."media_stream_type"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_media_files_item"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_media_files_oshash"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_media_files_path"`);
    await queryRunner.query(`DROP TABLE "media_files"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_media_items_library_type"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_media_items_parent"`);
    await queryRunner.query(`DROP TABLE "media_items"`);
    await queryRunner.query(`DROP TYPE "public"."media_item_type"`);
    await queryRunner.query(`DROP TABLE "libraries"`);
    await queryRunner.query(`DROP TYPE "public"."library_kind"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_queue_state_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_state_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_target"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_job_runs_created"`);
    await queryRunner.query(`DROP TABLE "job_runs"`);
    await queryRunner.query(`DROP TYPE "public"."job_state"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email_lower"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_username_lower"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
  }
}
