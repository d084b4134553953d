using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts.Images;
using Shop.ProductImages.Domain;
using Shop.ProductImages.StateMachines;
using Shop.Testing;
using Xunit;

namespace Shop.Images.Tests.StateMachines;

/// <summary>The image processing saga alone on MassTransit's in-memory test harness, with an in-memory recorder.</summary>
public sealed class ImageSagaSpec : IAsyncDisposable
{
    readonly ServiceProvider _provider;

    ImageSagaSpec(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<ImageProcessingStateMachine, ImageProcessingState>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<ImageProcessingStateMachine, ImageProcessingState> Saga { get; }
    public ImageProcessingStateMachine Machine => Saga.StateMachine;
    public RecordingImageRecorder Recorder => _provider.GetRequiredService<RecordingImageRecorder>();

    public static async Task<ImageSagaSpec> Start(TimeSpan? thumbnailsTimeout = null, TimeSpan? metadataTimeout = null,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        var provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<RecordingImageRecorder>()
            .AddSingleton<IProductImageRecorder>(p => p.GetRequiredService<RecordingImageRecorder>())
            .Configure<ImageProcessingSagaOptions>(o =>
            {
                o.ThumbnailsTimeout = thumbnailsTimeout ?? TimeSpan.FromMinutes(5);
                o.MetadataTimeout = metadataTimeout ?? TimeSpan.FromMinutes(5);
            })
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30), testInactivityTimeout: TimeSpan.FromSeconds(3));
                x.AddDelayedMessageScheduler();
                x.AddSagaStateMachine<ImageProcessingStateMachine, ImageProcessingState>().InMemoryRepository();
                configure?.Invoke(x);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);

        var spec = new ImageSagaSpec(provider);
        await spec.Harness.Start();
        return spec;
    }

    public static ImageUploaded NewUpload() =>
        new(NewId.NextGuid(), "SKU-SPEC", "images/x/original", "image/jpeg", "jpeg", 1234, DateTime.UtcNow);

    public static ThumbnailsGenerated Thumbnails(Guid imageId, int attempt = 1, string? partial = null) =>
        new(imageId, [new GeneratedThumbnail(64, "jpeg", $"images/{imageId:N}/thumbnails/64.jpg", 64, 48, "image/jpeg")], partial, attempt);

    public static ImageMetadataExtracted Metadata(Guid imageId, int attempt = 1) =>
        new(imageId, 640, 480, "Canon", "EOS", null, null, null, 100, null, 1, null, null, 12, attempt);

    /// <summary>Publishes the upload and waits until both commands are out.</summary>
    public async Task<ImageUploaded> Processing()
    {
        var upload = NewUpload();
        await Harness.Bus.Publish(upload);
        await InState(upload.ImageId, m => m.Processing);
        await Harness.SentMessage<GenerateThumbnails>(m => m.ImageId == upload.ImageId);
        await Harness.SentMessage<ExtractImageMetadata>(m => m.ImageId == upload.ImageId);
        return upload;
    }

    public async Task<ImageProcessingState> InState(Guid imageId, Func<ImageProcessingStateMachine, State> state, TimeSpan? timeout = null)
    {
        var found = await Saga.Exists(imageId, state, timeout ?? TimeSpan.FromSeconds(10));
        Assert.True(found.HasValue, $"The saga {imageId} did not reach {state(Machine).Name}.");
        return Saga.Sagas.ContainsInState(imageId, Machine, state)
            ?? throw new Xunit.Sdk.XunitException($"The saga {imageId} left {state(Machine).Name} again.");
    }

    /// <summary>Publishes the message and waits until the saga has consumed it (and published what it publishes).</summary>
    public async Task Answer<T>(T message) where T : class
    {
        var before = Saga.Consumed.Select<T>().Count();
        await Harness.Bus.Publish(message);
        await Eventually.Returns(() => Task.FromResult(Saga.Consumed.Select<T>().Count()), n => n > before, $"{typeof(T).Name} consumed",
            TimeSpan.FromSeconds(10));
    }

    public int Completions(Guid imageId) =>
        Harness.Published.Select<ImageProcessingCompleted>(x => x.Context.Message.ImageId == imageId).Count();

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

/// <summary>What the saga recorded on the image row, in order.</summary>
public sealed class RecordingImageRecorder : IProductImageRecorder
{
    readonly ConcurrentQueue<(Guid ImageId, string What, string? Reason)> _entries = new();

    public Task Thumbnails(Guid imageId, IReadOnlyList<GeneratedThumbnail> thumbnails, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _entries.Enqueue((imageId, "thumbnails", null));
        return Task.CompletedTask;
    }

    public Task Metadata(Guid imageId, ImageMetadataExtracted metadata, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _entries.Enqueue((imageId, "metadata", null));
        return Task.CompletedTask;
    }

    public Task Status(Guid imageId, ProductImageStatus status, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _entries.Enqueue((imageId, status.ToString(), reason));
        return Task.CompletedTask;
    }

    public IReadOnlyList<string> Of(Guid imageId) => _entries.Where(e => e.ImageId == imageId).Select(e => e.What).ToList();

    public string? LastReasonOf(Guid imageId) => _entries.LastOrDefault(e => e.ImageId == imageId).Reason;
}

static class HarnessExtensions
{
    public static async Task<T> SentMessage<T>(this ITestHarness harness, Func<T, bool> match) where T : class
    {
        Assert.True(await harness.Sent.Any<T>(x => match(x.Context.Message)), $"Expected a {typeof(T).Name} to be sent.");
        return harness.Sent.Select<T>(x => match(x.Context.Message)).First().Context.Message;
    }

    public static int SentCount<T>(this ITestHarness harness, Func<T, bool> match) where T : class =>
        harness.Sent.Select<T>(x => match(x.Context.Message)).Count();
}
