using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Shop.Images.Worker.Processing;

/// <summary>What decoding uploaded images costs, on the <c>Shop.Images</c> meter: time, input size and peak memory per decode.</summary>
public sealed class ImageMetrics
{
    public const string MeterName = "Shop.Images";

    readonly Histogram<double> _duration;
    readonly Histogram<long> _size;
    readonly Histogram<long> _memory;

    public ImageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>("shop.image.decode.duration", "s", "Time to decode one image and render from it (thumbnails), failures tagged error.type",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _size = meter.CreateHistogram<long>("shop.image.decode.size", "By", "Size of the encoded image decoded",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10_000, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000] });
        _memory = meter.CreateHistogram<long>("shop.image.decode.memory", "By", "Most pixel memory one decode held at once",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1_000_000, 10_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000] });
    }

    public void Decoded(TimeSpan duration, long bytes, long peakMemory, Exception? error)
    {
        var tags = error is null ? default : new TagList { { "error.type", error.GetType().FullName } };
        _duration.Record(duration.TotalSeconds, tags);
        _size.Record(bytes, tags);
        _memory.Record(peakMemory, tags);
    }
}
