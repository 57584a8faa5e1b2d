import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Written by hand (the generator cannot express it): the full-text search document of media items.
 * A trigger keeps `searchVector` in step with titles, artists, album titles and people; `unaccent`
 * (a trusted extension) makes "amelie" find "Amélie". The 'simple' configuration does no stemming,
 * so names in any language match as written; prefix queries (`alie:*`) give search-as-you-type.
 */
export class LibrarySearch1795325940800 implements MigrationInterface {
  name = 'LibrarySearch1795325940800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    // unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes it safe
    // to call from an index expression or a trigger that must give the same answer every time.
    await queryRunner.query(
      `CREATE FUNCTION marquee_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$`,
    );
    await queryRunner.query(
      `CREATE FUNCTION media_items_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW."searchVector" :=
           setweight(to_tsvector('simple', marquee_unaccent(concat_ws(' ', NEW.title, NEW."originalTitle", NEW."sortTitle"))), 'A') ||
           setweight(to_tsvector('simple', marquee_unaccent(concat_ws(' ', array_to_string(NEW.artists, ' '), NEW."albumTitle"))), 'B') ||
           setweight(to_tsvector('simple', marquee_unaccent(coalesce(
             (SELECT string_agg(person->>'name', ' ') FROM jsonb_array_elements(NEW.people) AS person), ''))), 'C');
         RETURN NEW;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER media_items_search_vector BEFORE INSERT OR UPDATE OF title, "originalTitle", "sortTitle", artists, "albumTitle", people
       ON media_items FOR EACH ROW EXECUTE FUNCTION media_items_search_vector()`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_media_items_search" ON media_items USING gin ("searchVector")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_media_items_search"`);
    await queryRunner.query(`DROP TRIGGER media_items_search_vector ON media_items`);
    await queryRunner.query(`DROP FUNCTION media_items_search_vector()`);
    await queryRunner.query(`DROP FUNCTION marquee_unaccent(text)`);
  }
}
