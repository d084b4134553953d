using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Memory;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// The only way the worker reads an uploaded image: size-capped read from blob storage, dimensions checked from the
/// header against the pixel budget before any pixel is decoded, decoding bounded in memory, frames and time. Anything
/// wrong with the bytes becomes an <see cref="InvalidImageException"/> with a reason a person can read.
/// </summary>
public sealed class UntrustedImageLoader
{
    readonly IBlobStorage _blobs;
    readonly ImageProcessingOptions _options;
    readonly Configuration _configuration;

    public UntrustedImageLoader(IBlobStorage blobs, IOptions<ImageProcessingOptions> options)
    {
        _blobs = blobs;
        _options = options.Value;
        _configuration = CreateBoundedConfiguration(_options);
    }

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

    /// <summary>The format and stored dimensions, read from the header only; refuses images over the pixel budget.</summary>
    public async Task<ImageHeader> IdentifyAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var header = await Bounded("reading the image header", () =>
        {
            var info = Image.Identify(_configuration, bytes, out var format);
            return info is null || format is null ? null : new ImageHeader(format.Name.ToLowerInvariant(), info.Width, info.Height);
        }, cancellationToken) ?? throw new InvalidImageException("The file is not an image in a supported format.");

        if (header.Format == "jpeg" && !EndsAfterLastScan(bytes))
            throw new InvalidImageException("The JPEG ends inside its image data (the file is truncated).");
        if (header.Width <= 0 || header.Height <= 0)
            throw new InvalidImageException($"The image header declares {header.Width}×{header.Height} pixels.");
        if ((long)header.Width * header.Height > _options.MaxPixels)
        {
            throw new InvalidImageException(
                $"The image header declares {header.Width}×{header.Height} pixels, over the budget of {_options.MaxPixels} pixels.");
        }

        return header;
    }

    /// <summary>
    /// Decodes an image whose header has passed <see cref="IdentifyAsync"/>, in the pixel format the file holds (RGB
    /// for a JPEG): a quarter less memory than RGBA and no conversion.
    /// </summary>
    public async Task<Image> DecodeAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await IdentifyAsync(bytes, cancellationToken);
        return await Bounded("decoding the image", () => Image.Load(_configuration, bytes), cancellationToken);
    }

    /// <summary>
    /// Runs parsing work off the consumer's thread with a deadline. A decoder that overruns cannot be stopped (they
    /// take no cancellation token in ImageSharp 2), but the message fails now and the worker moves on; the memory
    /// limits keep the abandoned work from taking the process with it.
    /// </summary>
    public async Task<T> Bounded<T>(string what, Func<T> work, CancellationToken cancellationToken)
    {
        var task = Task.Run(work, CancellationToken.None);
        try
        {
            return await task.WaitAsync(_options.DecodeTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _ = task.ContinueWith(t => (t.Result as IDisposable)?.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw new InvalidImageException($"Gave up {what} after {_options.DecodeTimeout.TotalSeconds:0.#} s.");
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

    static string Describe(Exception exception) => exception switch
    {
        UnknownImageFormatException => "the format is not recognised.",
        InvalidImageContentException invalid => $"the content is invalid ({invalid.Message})",
        InvalidMemoryOperationException => "decoding it would need more memory than allowed.",
        ImageFormatException format => format.Message,
        EndOfStreamException => "the file ends too early (truncated).",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    static Configuration CreateBoundedConfiguration(ImageProcessingOptions options)
    {
        var configuration = Configuration.Default.Clone();
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = options.MaxDecodeMegabytes,
        });
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { MaxFrames = options.MaxFrames });
        return configuration;
    }
}

/// <param name="Format">ImageSharp's format name in lower case: <c>jpeg</c>, <c>png</c>, <c>webp</c>, <c>gif</c>, <c>tiff</c>, <c>bmp</c>.</param>
public sealed record ImageHeader(string Format, int Width, int Height);
