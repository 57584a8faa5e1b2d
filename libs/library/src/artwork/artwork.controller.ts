import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  PayloadTooLargeException,
  type PipeTransform,
  Put,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, StreamRoute } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import type { ArtworkCandidateView } from '@marquee/contracts';
import busboy from 'busboy';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { ARTWORK_KINDS, type ArtworkKind } from '../entities/item-artwork.entity.js';
import { isArtworkKind, MAX_ARTWORK_WIDTH, MIN_ARTWORK_WIDTH } from './artwork-store.js';
import { ArtworkCandidates } from './artwork-candidates.js';
import { ARTWORK_UPLOAD_MAX_BYTES, ArtworkService } from './artwork.service.js';

export class ArtworkQueryDto {
  @ApiPropertyOptional({
    minimum: MIN_ARTWORK_WIDTH,
    maximum: MAX_ARTWORK_WIDTH,
    description: 'A webp copy this wide (never wider than the original)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_ARTWORK_WIDTH)
  @Max(MAX_ARTWORK_WIDTH)
  width?: number;

  @ApiPropertyOptional({ description: 'The version the URL was made for; when current, the response is immutable' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  v?: string;

  @ApiPropertyOptional({ description: 'Signed stream token, for <img> tags that cannot send headers' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  st?: string;
}

@Injectable()
export class ArtworkKindPipe implements PipeTransform<string, ArtworkKind> {
  transform(value: string): ArtworkKind {
    if (!isArtworkKind(value)) {
      throw new BadRequestException(`Unknown artwork kind "${String(value).slice(0, 32)}"; expected one of: ${ARTWORK_KINDS.join(', ')}`);
    }
    return value;
  }
}

/** Raw upload bodies of these types are accepted as they are; anything else must be multipart. */
const RAW_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** Room for multipart boundaries and part headers on top of the picture itself. */
const MULTIPART_OVERHEAD = 64 * 1024;
const ONE_DAY_SECONDS = 86_400;
/** A picture is a document of its own when opened directly: no script may run in it (SVG). */
const ARTWORK_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

@ApiTags('artwork')
@ApiBearerAuth()
@Controller('items')
export class ArtworkController {
  constructor(
    private readonly artwork: ArtworkService,
    private readonly candidates: ArtworkCandidates,
  ) {}

  @Get(':id/artwork-candidates')
  @AdminOnly()
  @ApiOperation({ summary: 'Pictures beside the item’s media that may be chosen as its artwork (PUT …/artwork/:kind {"candidate": id})' })
  listCandidates(@Param('id', ParseUUIDPipe) id: string): Promise<ArtworkCandidateView[]> {
    return this.candidates.list(id);
  }

  @Get(':id/artwork/:kind')
  @StreamRoute()
  @ApiOperation({
    summary: 'A picture of an item (poster, backdrop, thumb, cover, banner, logo), optionally resized; also by signed `?st=` URL',
  })
  async get(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('kind', ArtworkKindPipe) kind: ArtworkKind,
    @Query() query: ArtworkQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const picture = await this.artwork.serve(id, kind, query.width);
    res.setHeader('ETag', picture.etag);
    res.setHeader('Cache-Control', `private, max-age=${ONE_DAY_SECONDS}${query.v === picture.version ? ', immutable' : ''}`);
    res.setHeader('Content-Security-Policy', ARTWORK_CSP);
    if (etagMatches(req.headers['if-none-match'], picture.etag)) {
      res.status(304).end();
      return;
    }
    if (picture.data) {
      res.status(200).type(picture.contentType).setHeader('Content-Length', String(picture.data.length));
      res.end(req.method === 'HEAD' ? undefined : picture.data);
      return;
    }
    let handle;
    try {
      handle = await open(picture.path!, 'r');
    } catch {
      throw new NotFoundException(`The ${kind} artwork file of item ${id} is missing`);
    }
    try {
      const { size } = await handle.stat();
      res.status(200).type(picture.contentType).setHeader('Content-Length', String(size));
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      // Streamed with backpressure; a client that goes away closes the file.
      await pipeline(handle.createReadStream({ autoClose: false }), res).catch(() => undefined);
    } finally {
      await handle.close();
    }
  }

  @Put(':id/artwork/:kind')
  @AdminOnly()
  @ApiOperation({
    summary:
      'Upload a picture (JPEG, PNG or WebP, at most 20 MiB) as a raw image body or multipart field "file", or choose one with ' +
      'JSON {"candidate": "<id from artwork-candidates>"}; it is locked against scans',
  })
  async upload(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('kind', ArtworkKindPipe) kind: ArtworkKind,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
  ) {
    const data = isJson(req) ? await this.candidates.read(id, candidateId(req.body)) : await readUpload(req, ARTWORK_UPLOAD_MAX_BYTES);
    return this.artwork.upload(id, kind, data, principal);
  }

  @Delete(':id/artwork/:kind')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a picture and unlock its kind, so the next scan may fill it again' })
  async remove(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('kind', ArtworkKindPipe) kind: ArtworkKind,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.artwork.remove(id, kind, principal);
  }
}

const isJson = (req: Request) => /^application\/json\b/i.test(req.headers['content-type'] ?? '');

function candidateId(body: unknown): string {
  const candidate = (body as { candidate?: unknown } | undefined)?.candidate;
  if (typeof candidate !== 'string' || !/^[0-9a-f]{16}$/.test(candidate))
    throw new BadRequestException('Choose a picture with {"candidate": "<id>"}, an id from GET items/:id/artwork-candidates');
  return candidate;
}

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) entity tags. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

const tooLarge = (maxBytes: number) => new PayloadTooLargeException(`The picture is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`);

/** The uploaded picture: a raw image body, or the `file` part of a multipart body; bounded by `maxBytes`. */
async function readUpload(req: Request, maxBytes: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (type === 'multipart/form-data') {
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) throw tooLarge(maxBytes);
    return readMultipartFile(req, maxBytes);
  }
  if (RAW_IMAGE_TYPES.includes(type)) {
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
    return readRawBody(req, maxBytes);
  }
  throw new UnsupportedMediaTypeException(
    `Send the picture as an image/jpeg, image/png or image/webp body, or as multipart/form-data with a "file" field (got ${type || 'no Content-Type'})`,
  );
}

async function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      req.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function readMultipartFile(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 64 * 1024, parts: 30 } });
    } catch (error) {
      reject(new BadRequestException(`Malformed multipart body: ${(error as Error).message}`));
      return;
    }
    let file: Buffer | undefined;
    let truncated = false;
    parser.on('file', (name, stream) => {
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        truncated = true;
        chunks.length = 0;
      });
      stream.on('end', () => {
        if (!truncated) file = Buffer.concat(chunks);
      });
    });
    parser.on('error', (error: Error) => {
      req.unpipe(parser);
      req.resume();
      reject(new BadRequestException(`Malformed multipart body: ${error.message}`));
    });
    parser.on('close', () => {
      if (truncated) reject(tooLarge(maxBytes));
      else if (!file) reject(new BadRequestException('The multipart body has no "file" field'));
      else resolve(file);
    });
    req.pipe(parser);
  });
}
