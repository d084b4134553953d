using System.Buffers;
using System.Runtime.CompilerServices;
using SixLabors.ImageSharp.Memory;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// The memory allocator of one image's decoding and rendering: every buffer ImageSharp asks for is counted against a
/// total budget (not only each buffer against a size, which is all ImageSharp 2's own limit does), and once the work's
/// token is cancelled no further buffer is handed out, so work that overran its deadline cannot keep allocating.
/// </summary>
/// <remarks>
/// ImageSharp 2 has no public hook for this but a <see cref="MemoryAllocator"/> subclass: its buffer groups are
/// assembled from <see cref="Allocate{T}"/> calls, which all pass through here; the buffers come from the shared pool.
/// </remarks>
public sealed class DecodeMemoryBudget(MemoryAllocator pool, long limitBytes, CancellationToken cancellationToken) : MemoryAllocator
{
    // ImageSharp splits large images into buffers of this size; the shared pool hands out the same size.
    const int BufferCapacityBytes = 4 * 1024 * 1024;

    long _inUse;
    long _peak;

    public long LimitBytes => limitBytes;

    /// <summary>The most this work held at once.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    public long InUseBytes => Interlocked.Read(ref _inUse);

    protected override int GetBufferCapacityInBytes() => BufferCapacityBytes;

    public override IMemoryOwner<T> Allocate<T>(int length, AllocationOptions options = AllocationOptions.None)
    {
        // Cancellation here is the one place an ImageSharp 2 decoder can be stopped: it takes no token of its own.
        cancellationToken.ThrowIfCancellationRequested();

        var bytes = (long)length * Unsafe.SizeOf<T>();
        var inUse = Interlocked.Add(ref _inUse, bytes);
        if (inUse > limitBytes)
        {
            Interlocked.Add(ref _inUse, -bytes);
            throw new InvalidImageException(
                $"Decoding the image needs more than the {limitBytes / (1024 * 1024)} MB it may use (it asked for {inUse / (1024 * 1024)} MB).");
        }

        long peak;
        while (inUse > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, inUse, peak) != peak)
        {
        }

        try
        {
            return new Counted<T>(pool.Allocate<T>(length, options), this, bytes);
        }
        catch
        {
            Interlocked.Add(ref _inUse, -bytes);
            throw;
        }
    }

    sealed class Counted<T>(IMemoryOwner<T> buffer, DecodeMemoryBudget budget, long bytes) : IMemoryOwner<T>
    {
        int _disposed;

        public Memory<T> Memory => buffer.Memory;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            buffer.Dispose();
            Interlocked.Add(ref budget._inUse, -bytes);
        }
    }
}
