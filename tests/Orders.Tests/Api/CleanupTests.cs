using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.BlobStorage;
using Shop.ProductImages.Domain;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Orders.Api.Domain;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Api;

/// <summary>Orders.Api with its clean-up running every second, on its own blob directory.</summary>
public sealed class CleanupServiceFixture : OrdersServiceFixture
{
    public string BlobRoot { get; } = Directory.CreateTempSubdirectory("shop-cleanup-").FullName;

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings())
    {
        ["Cleanup:Interval"] = "00:00:01",
        ["Cleanup:IdempotencyKeyLifetime"] = "1.00:00:00",
        ["Cleanup:UploadGracePeriod"] = "01:00:00",
        ["Cleanup:ClaimCheckLifetime"] = "7.00:00:00",
        ["Images:DirectUploadUrlLifetime"] = "00:15:00",
        ["BlobStorage:Provider"] = "Disk",
        ["BlobStorage:Disk:Root"] = BlobRoot,
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(BlobRoot, recursive: true);
    }
}

public sealed class When_data_outlives_its_settings(CleanupServiceFixture service) : IClassFixture<CleanupServiceFixture>
{
    IBlobStorage Blobs => service.Services.GetRequiredService<IBlobStorage>();

    [Fact]
    public async Task Should_forget_idempotency_keys_older_than_their_lifetime()
    {
        var now = DateTime.UtcNow;
        var (old, recent) = ($"old-{Guid.NewGuid()}", $"recent-{Guid.NewGuid()}");
        await service.InScope(async db =>
        {
            foreach (var (key, age) in new[] { (old, 25), (recent, 23) })
            {
                var order = Order.Submit(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", now.AddHours(-age));
                db.Orders.Add(order);
                db.IdempotencyKeys.Add(new IdempotencyKey { Key = key, RequestHash = "h", OrderId = order.Id, CreatedAt = now.AddHours(-age) });
            }
            return await db.SaveChangesAsync();
        });

        await Eventually.Returns(() => service.InScope(db => db.IdempotencyKeys.AnyAsync(k => k.Key == old)), exists => !exists,
            "the expired idempotency key to be deleted", TimeSpan.FromSeconds(30));
        Assert.True(await service.InScope(db => db.IdempotencyKeys.AnyAsync(k => k.Key == recent)));
    }

    [Fact]
    public async Task Should_expire_an_upload_that_never_arrived_and_delete_its_blob()
    {
        var now = DateTimeOffset.UtcNow;
        var late = ProductImage.AwaitingUpload(Guid.NewGuid(), "MUG-001", $"uploads/{Guid.NewGuid()}", "image/png", now.AddHours(-2));
        var waiting = ProductImage.AwaitingUpload(Guid.NewGuid(), "MUG-001", $"uploads/{Guid.NewGuid()}", "image/png", now.AddMinutes(-30));
        foreach (var image in new[] { late, waiting })
        {
            using var bytes = new MemoryStream([1, 2, 3]);
            await Blobs.PutAsync(image.OriginalBlobKey, bytes, "image/png");
        }

        await service.InScope(async db =>
        {
            db.Set<ProductImage>().AddRange(late, waiting);
            return await db.SaveChangesAsync();
        });

        var expired = await Eventually.Returns(() => service.InScope(db => db.Set<ProductImage>().AsNoTracking().SingleAsync(i => i.Id == late.Id)),
            image => image.Status == ProductImageStatus.Expired, "the late upload to expire", TimeSpan.FromSeconds(30));
        Assert.Equal("the upload did not arrive before its upload URL expired", expired.FailureReason);
        Assert.False(await Blobs.ExistsAsync(late.OriginalBlobKey));
        var still = await service.InScope(db => db.Set<ProductImage>().AsNoTracking().SingleAsync(i => i.Id == waiting.Id));
        Assert.Equal(ProductImageStatus.AwaitingUpload, still.Status);
        Assert.True(await Blobs.ExistsAsync(waiting.OriginalBlobKey));
    }

    [Fact]
    public async Task Should_delete_message_bodies_stored_before_their_lifetime()
    {
        var now = DateTimeOffset.UtcNow;
        var (old, legacy, recent) = (ClaimCheck.KeyFor(Guid.NewGuid(), now.AddDays(-9)), $"messages/{Guid.NewGuid():N}",
            ClaimCheck.KeyFor(Guid.NewGuid(), now.AddDays(-5)));
        foreach (var key in new[] { recent, old, legacy })
        {
            using var bytes = new MemoryStream([1, 2, 3]);
            await Blobs.PutAsync(key, bytes, "application/octet-stream");
        }

        await Eventually.Returns(async () => await Blobs.ExistsAsync(old) || await Blobs.ExistsAsync(legacy), exists => !exists,
            "the expired message bodies to be deleted", TimeSpan.FromSeconds(30));
        Assert.True(await Blobs.ExistsAsync(recent));
    }
}
