import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LibraryCatalog1795325940772 implements MigrationInterface {
  name = 'LibraryCatalog1795325940772';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_media_files_path"`);
    await queryRunner.query(
      `CREATE TABLE "item_artwork" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "itemId" uuid NOT NULL, "kind" character varying(16) NOT NULL, "source" character varying(16) NOT NULL, "path" text NOT NULL, "archiveEntry" text NOT NULL DEFAULT '', "width" integer, "height" integer, "version" character varying(64) NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ea0214b310fce784402aa4d6c29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_item_artwork_item_kind" ON "item_artwork"  ("itemId", "kind") `);
    await queryRunner.query(
      `CREATE TABLE "item_edits" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "itemId" uuid NOT NULL, "userId" uuid, "username" character varying(64) NOT NULL, "source" character varying(16) NOT NULL, "changes" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8c5c6f6e1f98c288b4c56395ee7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_item_edits_item_at" ON "item_edits"  ("itemId", "at") `);
    await queryRunner.query(
      `CREATE TABLE "user_item_data" ("userId" uuid NOT NULL, "itemId" uuid NOT NULL, "played" boolean NOT NULL DEFAULT false, "playCount" integer NOT NULL DEFAULT '0', "positionMs" bigint NOT NULL DEFAULT '0', "favorite" boolean NOT NULL DEFAULT false, "rating" real, "lastPlayedAt" TIMESTAMP WITH TIME ZONE, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e4e0a2796ab51a190949f136340" PRIMARY KEY ("userId", "itemId"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_user_item_data_item" ON "user_item_data"  ("itemId") `);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "premiereDate" date`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "tagline" text`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "indexNumberEnd" integer`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "absoluteNumber" integer`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "extraType" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "groupKey" text`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "genres" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "tags" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "studios" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "people" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "artists" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "albumTitle" text`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "communityRating" real`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "criticRating" real`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "officialRating" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "media_items" ADD "searchVector" tsvector`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "folder" text NOT NULL`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "archiveEntry" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "category" character varying(16) NOT NULL`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "width" integer`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "height" integer`);
    await queryRunner.query(`ALTER TABLE "media_files" ADD "fingerprintedAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_media_items_group" ON "media_items"  ("libraryId", "type", "groupKey") WHERE "groupKey" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_media_files_path" ON "media_files"  ("path", "archiveEntry") `);
    await queryRunner.query(`CREATE INDEX "IDX_media_files_folder" ON "media_files"  ("libraryId", "folder") `);
    await queryRunner.query(
      `ALTER TABLE "item_artwork" ADD CONSTRAINT "FK_220091487c2e9980510cea24212" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_edits" ADD CONSTRAINT "FK_68e57adbe6edf5f43d12a73e541" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_item_data" ADD CONSTRAINT "FK_b140dda442733e17ca346aec725" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_item_data" ADD CONSTRAINT "FK_16656529b92d780c1e7f3bb4837" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_item_data" DROP CONSTRAINT "FK_16656529b92d780c1e7f3bb4837"`);
    await queryRunner.query(`ALTER TABLE "user_item_data" DROP CONSTRAINT "FK_b140dda442733e17ca346aec725"`);
    await queryRunner.query(`ALTER TABLE "item_edits" DROP CONSTRAINT "FK_68e57adbe6edf5f43d12a73e541"`);
    await queryRunner.query(`ALTER TABLE "item_artwork" DROP CONSTRAINT "FK_220091487c2e9980510cea24212"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_media_files_folder"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_media_files_path"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_media_items_group"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "fingerprintedAt"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "height"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "width"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "category"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "archiveEntry"`);
    await queryRunner.query(`ALTER TABLE "media_files" DROP COLUMN "folder"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "searchVector"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "officialRating"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "criticRating"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "communityRating"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "albumTitle"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "artists"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "people"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "studios"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "tags"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "genres"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "groupKey"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "extraType"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "absoluteNumber"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "indexNumberEnd"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "tagline"`);
    await queryRunner.query(`ALTER TABLE "media_items" DROP COLUMN "premiereDate"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_user_item_data_item"`);
    await queryRunner.query(`DROP TABLE "user_item_data"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_item_edits_item_at"`);
    await queryRunner.query(`DROP TABLE "item_edits"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_item_artwork_item_kind"`);
    await queryRunner.query(`DROP TABLE "item_artwork"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_media_files_path" ON "media_files" USING btree ("path") `);
  }
}
