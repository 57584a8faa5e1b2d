/**
 * Combing of a greyscale picture: how much each line differs from the mean of the lines above and
 * below it. Woven fields of a moving picture make every other line jump; a progressive one barely does.
 */
export function combing(gray: Uint8Array, width: number, height: number): number {
  let sum = 0;
  for (let y = 1; y < height - 1; y++)
    for (let x = 0; x < width; x++) sum += Math.abs(2 * gray[y * width + x] - gray[(y - 1) * width + x] - gray[(y + 1) * width + x]);
  return sum / ((height - 2) * width);
}
