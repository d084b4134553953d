using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.Contracts.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Memory;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// The only way the worker reads an uploaded image: size-capped read from blob storage; the container's structure
/// walked and the header read before any pixel is decoded, both checked against the budgets (pixels of all frames,
/// frames, metadata blocks); decoding and rendering bounded in total memory and in time. Anything wrong with the
/// bytes becomes an <see cref="InvalidImageException"/> with a reason a person can read.
/// </summary>
/// <remarks>
/// Time: each piece of parsing work gets a token cancelled at <see cref="ImageProcessingOptions.DecodeTimeout"/>. The
/// parsers take no token (ImageSharp 2, MetadataExtractor), so the token reaches them through their input (every read
/// of <see cref="CancellableReadStream"/>) and, for ImageSharp, every buffer it allocates
/// (<see cref="DecodeMemoryBudget"/>). The caller waits for the work to end, so it stays inside the consumer's
/// concurrency limit; only work that passes no read and no allocation for another
/// <see cref="ImageProcessingOptions.AbandonAfter"/> is given up on, and it can allocate nothing more from ImageSharp.
/// </remarks>
public sealed class UntrustedImageLoader
{
    readonly IBlobStorage _blobs;
    readonly ImageProcessingOptions _options;
    readonly MemoryAllocator _pool;
    readonly Configuration _configuration;
    readonly ImageMetrics? _metrics;
    int _workInProgress;
    long _peakDecodeBytes;

    public UntrustedImageLoader(IBlobStorage blobs, IOptions<ImageProcessingOptions> options, ImageMetrics? metrics = null)
    {
        _blobs = blobs;
        _metrics = metrics;
        _options = options.Value;
        _pool = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = _options.MaxDecodeMegabytes,
            // What the pool keeps between images counts against the worker's memory too.
            MaximumPoolSizeMegabytes = _options.MaxPooledMegabytes,
        });
        _configuration = Configuration.Default.Clone();
        _configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { MaxFrames = _options.MaxFrames });
    }

    /// <summary>Parsing work started by <see cref="Bounded{T}"/> that has not ended yet, given up on or not.</summary>
    internal int WorkInProgress => Volatile.Read(ref _workInProgress);

    /// <summary>The most ImageSharp memory one decode (with its rendering) held at once, over all decodes so far.</summary>
    internal long PeakDecodeBytes => Interlocked.Read(ref _peakDecodeBytes);

    public async Task<byte[]> ReadAsync(string blobKey, CancellationToken cancellationToken)
    {
        await using var blob = await _blobs.OpenReadAsync(blobKey, cancellationToken)
            ?? throw new InvalidImageException($"The original '{blobKey}' is not in blob storage.");
        if (blob.Length > _options.MaxUploadBytes)
            throw new InvalidImageException($"The original is {blob.Length} bytes, over the limit of {_options.MaxUploadBytes}.");

        using var buffer = new MemoryStream((int)Math.Max(blob.Length, 0));
        await blob.Content.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
            throw new InvalidImageException("The original is empty.");
        if (buffer.Length > _options.MaxUploadBytes)
            throw new InvalidImageException($"The original is over the limit of {_options.MaxUploadBytes} bytes.");
        return buffer.ToArray();
    }

    /// <summary>
    /// The original of <paramref name="uploaded"/>, checked again against what the API accepted (its size, its format
    /// sniffed from the bytes): storage is not trusted to still hold what was checked.
    /// </summary>
    public Task<byte[]> ReadUploadedAsync(ImageUploaded uploaded, CancellationToken cancellationToken) =>
        ReadUploadedAsync(uploaded.BlobKey, uploaded.SizeBytes, uploaded.Format, cancellationToken);

    /// <summary>The original under <paramref name="blobKey"/>, checked against the size and format the API accepted.</summary>
    public async Task<byte[]> ReadUploadedAsync(string blobKey, long sizeBytes, string acceptedFormat, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(blobKey, cancellationToken);
        if (bytes.LongLength != sizeBytes)
            throw new InvalidImageException($"The stored original has {bytes.LongLength} bytes; the upload that was accepted had {sizeBytes}.");
        var format = ImageStructure.Read(bytes)?.Format;
        if (format != acceptedFormat)
            throw new InvalidImageException($"The stored original is {format ?? "no supported image"}; the upload that was accepted was {acceptedFormat}.");
        return bytes;
    }

    /// <summary>
    /// The format and stored dimensions, read from the header only, after the container's structure has been walked;
    /// refuses images over the pixel budget (all frames together), with too many frames or metadata blocks.
    /// </summary>
    public async Task<ImageHeader> IdentifyAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var structure = CheckStructure(bytes);
        return await ReadHeaderAsync(bytes, structure, cancellationToken);
    }

    /// <summary>
    /// The container's structure, refused over the frame, metadata-block and (for animations) pixel budgets: what must
    /// hold before anything, metadata included, is read from the file.
    /// </summary>
    public ImageStructure CheckStructure(byte[] bytes)
    {
        var structure = ImageStructure.Read(bytes) ?? throw new InvalidImageException("The file is not an image in a supported format.");
        if (structure.Frames > _options.MaxFrames)
            throw new InvalidImageException($"The image has {structure.Frames} frames, over the limit of {_options.MaxFrames}.");
        if (structure.MetadataBlocks > _options.MaxMetadataBlocks)
        {
            throw new InvalidImageException(
                $"The image carries {structure.MetadataBlocks} metadata blocks, over the limit of {_options.MaxMetadataBlocks}.");
        }

        // A still image's budget is checked below against the header, which names its dimensions.
        if (structure.Frames > 1 && structure.DecodedPixels > _options.MaxPixels)
            throw OverBudget(structure, structure.DecodedPixels.Value);
        return structure;
    }

    /// <summary>
    /// The header of an image whose structure passed <see cref="CheckStructure"/>, refused over the pixel budget or
    /// when it names no size. A JPEG cut off inside its image data is read, with <see cref="ImageHeader.Damage"/> saying so.
    /// </summary>
    public async Task<ImageHeader> ReadHeaderAsync(byte[] bytes, ImageStructure structure, CancellationToken cancellationToken)
    {
        var readable = JpegLineCount.Resolve(bytes);
        var header = await Bounded("reading the image header", token =>
        {
            var info = Image.Identify(Configure(new DecodeMemoryBudget(_pool, MaxDecodeBytes, token)), new CancellableReadStream(readable, token),
                out var format);
            return info is null || format is null ? null : new ImageHeader(format.Name.ToLowerInvariant(), info.Width, info.Height, structure.Frames);
        }, cancellationToken) ?? throw new InvalidImageException("The file is not an image in a supported format.");

        if (header.Format == "jpeg" && !EndsAfterLastScan(bytes))
        {
            // As browsers and libjpeg do: show what is there (ImageSharp paints the missing rows grey), and say so.
            if (!HasScanData(bytes))
                throw new InvalidImageException("The JPEG ends before any of its image data (the file is truncated).");
            header = header with { Damage = "The JPEG ends inside its image data (the file is truncated): the thumbnails show the part that is there." };
        }

        if (header.Width <= 0 || header.Height <= 0)
            throw new InvalidImageException($"The image header declares {header.Width}×{header.Height} pixels.");
        if ((long)header.Width * header.Height > _options.MaxPixels)
        {
            throw new InvalidImageException(
                $"The image header declares {header.Width}×{header.Height} pixels, over the budget of {_options.MaxPixels} pixels.");
        }

        var decodedPixels = structure.DecodedPixels ?? structure.Frames * (long)header.Width * header.Height;
        if (decodedPixels > _options.MaxPixels)
            throw OverBudget(structure, decodedPixels);
        return header;
    }

    InvalidImageException OverBudget(ImageStructure structure, long pixels) =>
        new($"The image has {structure.Frames} frames: {pixels} pixels to decode in all, over the budget of {_options.MaxPixels} pixels.");

    /// <summary>
    /// Decodes an image whose header passes <see cref="IdentifyAsync"/>, in the pixel format the file holds (RGB for a
    /// JPEG: a quarter less memory than RGBA and no conversion), and hands it to <paramref name="use"/>; decoding and
    /// use share one deadline and one memory budget, and the image is disposed when <paramref name="use"/> returns.
    /// </summary>
    public async Task<T> DecodeAsync<T>(byte[] bytes, string what, Func<Image, CancellationToken, T> use, CancellationToken cancellationToken)
    {
        await IdentifyAsync(bytes, cancellationToken);
        var readable = JpegLineCount.Resolve(bytes);
        return await Bounded($"decoding the image and {what}", token =>
        {
            var budget = new DecodeMemoryBudget(_pool, MaxDecodeBytes, token);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Exception? error = null;
            try
            {
                using var image = Image.Load(Configure(budget), new CancellableReadStream(readable, token));
                return use(image, token);
            }
            catch (Exception exception)
            {
                error = exception;
                throw;
            }
            finally
            {
                var peak = budget.PeakBytes;
                _metrics?.Decoded(System.Diagnostics.Stopwatch.GetElapsedTime(started), bytes.Length, peak, error);
                long seen;
                while (peak > (seen = Interlocked.Read(ref _peakDecodeBytes)) && Interlocked.CompareExchange(ref _peakDecodeBytes, peak, seen) != seen)
                {
                }
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Reads the image's metadata with <paramref name="reader"/> through a stream that stops at the deadline.
    /// </summary>
    public Task<CameraMetadata> ReadMetadataAsync(byte[] bytes, CameraMetadataReader reader, CancellationToken cancellationToken) =>
        Bounded("reading metadata", token => reader.Read(new CancellableReadStream(bytes, token), token), cancellationToken);

    long MaxDecodeBytes => _options.MaxDecodeMegabytes * 1024L * 1024;

    /// <summary>
    /// Runs parsing work off the consumer's thread with a deadline (see the remarks on the class): the work gets a
    /// token cancelled at the deadline or when <paramref name="cancellationToken"/> is, and this waits for it to end.
    /// </summary>
    public async Task<T> Bounded<T>(string what, Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.DecodeTimeout);
        var token = deadline.Token;
        var task = Task.Run(() =>
        {
            Interlocked.Increment(ref _workInProgress);
            try
            {
                return work(token);
            }
            finally
            {
                Interlocked.Decrement(ref _workInProgress);
            }
        }, CancellationToken.None);

        try
        {
            return await task.WaitAsync(_options.DecodeTimeout + _options.AbandonAfter, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidImageException($"Gave up {what} after {_options.DecodeTimeout.TotalSeconds:0.###} s.");
        }
        catch (TimeoutException)
        {
            // It passed no cancellation point since the deadline: leave it, but it can allocate no more ImageSharp memory.
            _ = task.ContinueWith(t => (t.Result as IDisposable)?.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw new InvalidImageException(
                $"Gave up {what} after {_options.DecodeTimeout.TotalSeconds:0.###} s; it did not stop when told and was abandoned.");
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or InvalidImageException))
        {
            throw new InvalidImageException($"The image could not be read while {what}: {Describe(exception)}");
        }
    }

    /// <summary>
    /// ImageSharp decodes a cut-off JPEG without complaint, painting the missing part grey. A whole JPEG has an
    /// end-of-image marker after its last start-of-scan; entropy-coded data can contain neither (0xFF is stuffed).
    /// </summary>
    static bool EndsAfterLastScan(ReadOnlySpan<byte> jpeg)
    {
        var lastScan = jpeg.LastIndexOf([(byte)0xFF, (byte)0xDA]);
        return lastScan >= 0 && jpeg[lastScan..].IndexOf([(byte)0xFF, (byte)0xD9]) >= 0;
    }

    /// <summary>Whether anything follows the first start-of-scan segment's header: entropy-coded data to decode.</summary>
    static bool HasScanData(ReadOnlySpan<byte> jpeg)
    {
        var scan = jpeg.IndexOf([(byte)0xFF, (byte)0xDA]);
        if (scan < 0 || scan + 4 > jpeg.Length)
            return false;
        var headerLength = jpeg[scan + 2] << 8 | jpeg[scan + 3];
        return jpeg.Length > scan + 2 + headerLength;
    }

    static string Describe(Exception exception) => exception switch
    {
        UnknownImageFormatException => "the format is not recognised.",
        InvalidImageContentException invalid => $"the content is invalid ({invalid.Message})",
        InvalidMemoryOperationException => "decoding it would need more memory than allowed.",
        ImageFormatException format => format.Message,
        EndOfStreamException => "the file ends too early (truncated).",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>ImageSharp's configuration for one piece of work: the loader's, with the work's own memory budget.</summary>
    Configuration Configure(DecodeMemoryBudget budget)
    {
        var configuration = _configuration.Clone();
        configuration.MemoryAllocator = budget;
        return configuration;
    }
}

/// <param name="Format">ImageSharp's format name in lower case: <c>jpeg</c>, <c>png</c>, <c>webp</c>, <c>gif</c>, <c>tiff</c>, <c>bmp</c>.</param>
/// <param name="Frames">Frames in the file, as its container counts them (1 for a still image).</param>
/// <param name="Damage">Why the pixels are only partly there (a truncated JPEG); null for a whole image.</param>
public sealed record ImageHeader(string Format, int Width, int Height, int Frames = 1, string? Damage = null);
