import { type PictureTreatment, toneMappingFor } from '@marquee/media';
import type { DataSource } from 'typeorm';
import { MediaStream } from '../entities/media-stream.entity.js';

/**
 * What a file's picture needs before frames of it are shown (a thumbnail, trickplay): deinterlacing
 * and tone mapping, from the probe of its first video stream, the one ffmpeg's `0:v:0` takes.
 */
export async function pictureTreatmentOf(dataSource: DataSource, fileId: string): Promise<PictureTreatment> {
  const stream = await dataSource.getRepository(MediaStream).findOne({
    where: { fileId, type: 'video' },
    order: { streamIndex: 'ASC' },
    select: { id: true, hdr: true, interlaced: true },
  });
  return { deinterlace: stream?.interlaced ?? false, toneMap: toneMappingFor(stream?.hdr) };
}
