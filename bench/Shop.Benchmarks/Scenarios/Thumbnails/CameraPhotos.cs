using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// Camera-sized JPEGs made from a seed, so every run and every machine measures the same bytes without a binary in
/// the repository: a sky gradient with soft clouds, textured ground, hard-edged objects and sensor noise (which is
/// what makes a photo expensive to decode), saved as a camera does (4:2:0, quality 92) with an EXIF block holding an
/// orientation and GPS. Kept in a temp folder between runs; the folder name carries everything that shapes them.
/// </summary>
public static class CameraPhotos
{
    const int Version = 1;
    static readonly ushort[] Orientations = [1, 6, 1, 8, 3, 1];

    public static string Prepare(int count, int width, int height)
    {
        var folder = Path.Combine(Path.GetTempPath(), "shop-bench-photos", $"v{Version}-{width}x{height}-{count}");
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"photo-{i:D2}.jpg")).ToList();
        if (files.All(File.Exists))
            return folder;

        Directory.CreateDirectory(folder);
        using var progress = new Progress($"generating {width}x{height} photos", count);
        for (var i = 0; i < count; i++)
        {
            var temporary = files[i] + ".tmp";
            using (var photo = Paint(width, height, seed: 1000 + i))
            {
                photo.Metadata.ExifProfile = Exif(Orientations[i % Orientations.Length]);
                photo.SaveAsJpeg(temporary, new JpegEncoder { Quality = 92, ColorType = JpegColorType.YCbCrRatio420 });
            }

            File.Move(temporary, files[i], overwrite: true);
            progress.Report(i + 1);
        }

        return folder;
    }

    static Image<Rgb24> Paint(int width, int height, int seed)
    {
        var random = new Random(seed);
        var horizon = (int)(height * (0.35 + 0.3 * random.NextDouble()));

        // Separable waves: cheap per pixel, yet no two rows or columns alike.
        var cloudX = Waves(width, random, 3, 40, 400);
        var cloudY = Waves(height, random, 3, 30, 300);
        var grainX = Waves(width, random, 4, 3, 25);
        var grainY = Waves(height, random, 4, 3, 25);
        var shapes = Enumerable.Range(0, 24).Select(_ => Shape.Random(random, width, height, horizon)).ToArray();

        var image = new Image<Rgb24>(width, height);
        var noise = (uint)seed * 2654435761u | 1;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var sky = y < horizon;
                var depth = sky ? y / (double)horizon : (y - horizon) / (double)(height - horizon);
                for (var x = 0; x < row.Length; x++)
                {
                    double r, g, b;
                    if (sky)
                    {
                        var cloud = Math.Max(0, cloudX[x] * cloudY[y]) * 90;
                        (r, g, b) = (90 + 80 * depth + cloud, 140 + 60 * depth + cloud, 220 + 20 * depth + cloud * 0.4);
                    }
                    else
                    {
                        var grain = grainX[x] * 18 + grainY[y] * 18 + grainX[x] * grainY[y] * 30;
                        (r, g, b) = (70 + 40 * depth + grain, 95 + 30 * depth + grain, 45 + 15 * depth + grain * 0.6);
                    }

                    foreach (var shape in shapes)
                    {
                        if (shape.Contains(x, y))
                        {
                            (r, g, b) = (shape.R + grainX[x] * 8, shape.G + grainY[y] * 8, shape.B);
                            break;
                        }
                    }

                    // Sensor noise: the sum of two uniform draws, about ±6 levels, per channel.
                    row[x] = new Rgb24(Noisy(r, ref noise), Noisy(g, ref noise), Noisy(b, ref noise));
                }
            }
        });
        return image;
    }

    static byte Noisy(double value, ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        var jitter = (int)(state & 7) + (int)((state >> 8) & 7) - 7;
        return (byte)Math.Clamp((int)value + jitter, 0, 255);
    }

    static double[] Waves(int length, Random random, int count, double shortest, double longest)
    {
        var periods = Enumerable.Range(0, count).Select(_ => shortest + (longest - shortest) * random.NextDouble()).ToArray();
        var phases = Enumerable.Range(0, count).Select(_ => random.NextDouble() * Math.Tau).ToArray();
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            for (var k = 0; k < count; k++)
                values[i] += Math.Sin(i * Math.Tau / periods[k] + phases[k]) / count;
        }

        return values;
    }

    static ExifProfile Exif(ushort orientation)
    {
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Make, "Shopcam");
        exif.SetValue(ExifTag.Model, "Bench 12");
        exif.SetValue(ExifTag.Orientation, orientation);
        exif.SetValue(ExifTag.DateTimeOriginal, "2026:11:27 09:30:00");
        exif.SetValue(ExifTag.ExposureTime, new Rational(1, 250));
        exif.SetValue(ExifTag.FNumber, new Rational(28, 10));
        exif.SetValue(ExifTag.ISOSpeedRatings, new ushort[] { 200 });
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, new[] { new Rational(48, 1), new Rational(51, 1), new Rational(2988, 100) });
        exif.SetValue(ExifTag.GPSLongitudeRef, "E");
        exif.SetValue(ExifTag.GPSLongitude, new[] { new Rational(2, 1), new Rational(17, 1), new Rational(402, 10) });
        return exif;
    }

    /// <summary>A rectangle or an ellipse of one colour: an edge the resamplers must keep sharp.</summary>
    sealed record Shape(bool Round, int Left, int Top, int Right, int Bottom, byte R, byte G, byte B)
    {
        public static Shape Random(Random random, int width, int height, int horizon)
        {
            var w = random.Next(width / 40, width / 6);
            var h = random.Next(height / 30, height / 4);
            var left = random.Next(0, width - w);
            var top = Math.Clamp(horizon - h + random.Next(-height / 10, height / 5), 0, height - h);
            return new Shape(random.Next(3) == 0, left, top, left + w, top + h,
                (byte)random.Next(30, 230), (byte)random.Next(30, 230), (byte)random.Next(30, 230));
        }

        public bool Contains(int x, int y)
        {
            if (x < Left || x >= Right || y < Top || y >= Bottom)
                return false;
            if (!Round)
                return true;
            var dx = (x - (Left + Right) / 2.0) / ((Right - Left) / 2.0);
            var dy = (y - (Top + Bottom) / 2.0) / ((Bottom - Top) / 2.0);
            return dx * dx + dy * dy <= 1;
        }
    }
}
