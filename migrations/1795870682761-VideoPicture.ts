import type { MigrationInterface, QueryRunner } from 'typeorm';

export class VideoPicture1795870682761 implements MigrationInterface {
  name = 'VideoPicture1795870682761';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "media_streams" ADD "rotation" smallint`);
    await queryRunner.query(`ALTER TABLE "media_streams" ADD "sampleAspectRatio" double precision`);
    await queryRunner.query(`ALTER TABLE "media_streams" ADD "interlaced" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "media_streams" DROP COLUMN "interlaced"`);
    await queryRunner.query(`ALTER TABLE "media_streams" DROP COLUMN "sampleAspectRatio"`);
    await queryRunner.query(`ALTER TABLE "media_streams" DROP COLUMN "rotation"`);
  }
}
