import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UnreadableFiles1795861405570 implements MigrationInterface {
  name = 'UnreadableFiles1795861405570';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "unreadable_files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "libraryId" uuid NOT NULL, "path" text NOT NULL, "folder" text NOT NULL, "size" bigint NOT NULL, "mtime" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" text NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10818f4ec576551f2b702e51343" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_unreadable_files_folder" ON "unreadable_files"  ("libraryId", "folder") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_unreadable_files_path" ON "unreadable_files"  ("path") `);
    await queryRunner.query(
      `ALTER TABLE "unreadable_files" ADD CONSTRAINT "FK_38fd26e8031f5eccd1b68d5a8c9" FOREIGN KEY ("libraryId") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "unreadable_files" DROP CONSTRAINT "FK_38fd26e8031f5eccd1b68d5a8c9"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_unreadable_files_path"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_unreadable_files_folder"`);
    await queryRunner.query(`DROP TABLE "unreadable_files"`);
  }
}
