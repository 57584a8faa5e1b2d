import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersData1795832603340 implements MigrationInterface {
  name = 'UsersData1795832603340';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "play_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "userId" uuid NOT NULL, "itemId" uuid NOT NULL, "playedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "playedMs" bigint NOT NULL, CONSTRAINT "PK_54d2c87cce416cde980569353cc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_play_history_item" ON "play_history"  ("itemId") `);
    await queryRunner.query(`CREATE INDEX "IDX_play_history_user_played" ON "play_history"  ("userId", "playedAt") `);
    await queryRunner.query(
      `CREATE TABLE "play_queues" ("userId" uuid NOT NULL, "currentEntryId" uuid, "positionMs" bigint NOT NULL DEFAULT '0', "revision" integer NOT NULL DEFAULT '0', "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d9f2dc496b81be3540be46525f2" PRIMARY KEY ("userId"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "play_queue_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "userId" uuid NOT NULL, "itemId" uuid NOT NULL, "position" text COLLATE "C" NOT NULL, CONSTRAINT "UQ_play_queue_entries_position" UNIQUE ("userId", "position") DEFERRABLE INITIALLY IMMEDIATE, CONSTRAINT "PK_5b131257ca83d971903193ce777" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_play_queue_entries_item" ON "play_queue_entries"  ("itemId") `);
    await queryRunner.query(
      `CREATE TABLE "playlists" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "userId" uuid NOT NULL, "name" text NOT NULL, "description" text, "revision" integer NOT NULL DEFAULT '0', "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a4597f4189a75d20507f3f7ef0d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_playlists_user" ON "playlists"  ("userId") `);
    await queryRunner.query(
      `CREATE TABLE "playlist_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "playlistId" uuid NOT NULL, "itemId" uuid NOT NULL, "position" text COLLATE "C" NOT NULL, "addedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_playlist_entries_position" UNIQUE ("playlistId", "position") DEFERRABLE INITIALLY IMMEDIATE, CONSTRAINT "PK_7611f0b0720e717c74f29899b22" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_playlist_entries_item" ON "playlist_entries"  ("itemId") `);
    await queryRunner.query(
      `ALTER TABLE "play_history" ADD CONSTRAINT "FK_e2f538faca1b3cfbef5bbae1456" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "play_history" ADD CONSTRAINT "FK_6c8f84a9705b2e267c06ff1e417" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "play_queues" ADD CONSTRAINT "FK_d9f2dc496b81be3540be46525f2" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "play_queue_entries" ADD CONSTRAINT "FK_e2c905f7ebc99c5e89decb1b36d" FOREIGN KEY ("userId") REFERENCES "play_queues"("userId") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "play_queue_entries" ADD CONSTRAINT "FK_3fa0ccb104d822fc743e282b8a0" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "playlists" ADD CONSTRAINT "FK_708a919e9aa49019000d9e9b68e" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "playlist_entries" ADD CONSTRAINT "FK_ecf4be5827ce0452760d23c528c" FOREIGN KEY ("playlistId") REFERENCES "playlists"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "playlist_entries" ADD CONSTRAINT "FK_dfbb6b8380e635c8807d22e97df" FOREIGN KEY ("itemId") REFERENCES "media_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "playlist_entries" DROP CONSTRAINT "FK_dfbb6b8380e635c8807d22e97df"`);
    await queryRunner.query(`ALTER TABLE "playlist_entries" DROP CONSTRAINT "FK_ecf4be5827ce0452760d23c528c"`);
    await queryRunner.query(`ALTER TABLE "playlists" DROP CONSTRAINT "FK_708a919e9aa49019000d9e9b68e"`);
    await queryRunner.query(`ALTER TABLE "play_queue_entries" DROP CONSTRAINT "FK_3fa0ccb104d822fc743e282b8a0"`);
    await queryRunner.query(`ALTER TABLE "play_queue_entries" DROP CONSTRAINT "FK_e2c905f7ebc99c5e89decb1b36d"`);
    await queryRunner.query(`ALTER TABLE "play_queues" DROP CONSTRAINT "FK_d9f2dc496b81be3540be46525f2"`);
    await queryRunner.query(`ALTER TABLE "play_history" DROP CONSTRAINT "FK_6c8f84a9705b2e267c06ff1e417"`);
    await queryRunner.query(`ALTER TABLE "play_history" DROP CONSTRAINT "FK_e2f538faca1b3cfbef5bbae1456"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_playlist_entries_item"`);
    await queryRunner.query(`DROP TABLE "playlist_entries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_playlists_user"`);
    await queryRunner.query(`DROP TABLE "playlists"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_play_queue_entries_item"`);
    await queryRunner.query(`DROP TABLE "play_queue_entries"`);
    await queryRunner.query(`DROP TABLE "play_queues"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_play_history_user_played"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_play_history_item"`);
    await queryRunner.query(`DROP TABLE "play_history"`);
  }
}
