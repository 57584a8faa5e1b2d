import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Plugins1795842570857 implements MigrationInterface {
  name = 'Plugins1795842570857';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "plugins" ("id" character varying(128) NOT NULL, "name" character varying(128) NOT NULL, "version" character varying(64) NOT NULL, "manifest" json NOT NULL, "enabled" boolean NOT NULL DEFAULT false, "source" character varying(16) NOT NULL, "path" text NOT NULL, "settings" jsonb NOT NULL DEFAULT '{}', "secrets" jsonb NOT NULL DEFAULT '{}', "installedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bb3d17826b76295957a253ba73e" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "plugins"`);
  }
}
