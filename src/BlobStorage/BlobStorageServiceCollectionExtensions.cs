using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.BlobStorage.Disk;
using Shop.BlobStorage.S3;

namespace Shop.BlobStorage;

public static class BlobStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBlobStorage"/> from the <c>BlobStorage</c> section: <c>Provider</c> = <c>Disk</c>
    /// (default, <c>Disk:Root</c>) or <c>S3</c> (<c>S3:Bucket</c>, <c>Prefix</c>, <c>CreateBucket</c>, <c>ServiceUrl</c>, <c>Region</c>, <c>ForcePathStyle</c>).
    /// Calling it twice registers it once. Adds the <c>blob-storage</c> readiness check.
    /// </summary>
    public static IServiceCollection AddBlobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(BlobStorageOptions.SectionName);
        services.Configure<BlobStorageOptions>(section);
        var provider = section.Get<BlobStorageOptions>()?.Provider ?? BlobStorageProviders.Disk;

        if (string.Equals(provider, BlobStorageProviders.Disk, StringComparison.OrdinalIgnoreCase))
        {
            services.TryAddSingleton<IBlobStorage>(sp =>
            {
                var root = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value.Disk.Root;
                var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
                return new DiskBlobStorage(Path.GetFullPath(root, contentRoot));
            });
        }
        else if (string.Equals(provider, BlobStorageProviders.S3, StringComparison.OrdinalIgnoreCase))
        {
            services.TryAddSingleton<IBlobStorage>(sp =>
            {
                var s3 = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value.S3;
                return new S3BlobStorage(CreateS3Client(s3), s3, sp.GetRequiredService<ILogger<S3BlobStorage>>());
            });
        }
        else
        {
            throw new InvalidOperationException($"BlobStorage:Provider is '{provider}'; use {BlobStorageProviders.Disk} or {BlobStorageProviders.S3}.");
        }

        // Readiness of every service that keeps blobs; the standalone host calls this once per service.
        if (services.All(descriptor => descriptor.ServiceType != typeof(BlobStorageHealthCheck)))
        {
            services.AddSingleton<BlobStorageHealthCheck>();
            services.AddHealthChecks().AddCheck<BlobStorageHealthCheck>("blob-storage", tags: ["ready"]);
        }

        return services;
    }

    /// <summary>An S3 client for <paramref name="options"/>: its endpoint, region, addressing style and credentials.</summary>
    public static IAmazonS3 CreateS3Client(S3BlobStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Bucket))
            throw new InvalidOperationException("BlobStorage:S3:Bucket must be set when BlobStorage:Provider is S3.");

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // S3-compatible servers rarely understand the flexible checksums the SDK now adds by default.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return StaticCredentials(options) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>
    /// An SQS client beside the bucket (for its event notifications): the same endpoint, region and credentials.
    /// An S3-compatible emulator such as fauxqs serves both on one endpoint.
    /// </summary>
    public static IAmazonSQS CreateSqsClient(S3BlobStorageOptions options)
    {
        var config = new AmazonSQSConfig();
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return StaticCredentials(options) is { } credentials ? new AmazonSQSClient(credentials, config) : new AmazonSQSClient(config);
    }

    static BasicAWSCredentials? StaticCredentials(S3BlobStorageOptions options) =>
        !string.IsNullOrWhiteSpace(options.AccessKey) && !string.IsNullOrWhiteSpace(options.SecretKey)
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : null;

    /// <summary>Whether <c>BlobStorage:Provider</c> is S3, for services that add S3-only features.</summary>
    public static bool IsS3(IConfiguration configuration) =>
        string.Equals(configuration.GetSection(BlobStorageOptions.SectionName).Get<BlobStorageOptions>()?.Provider, BlobStorageProviders.S3,
            StringComparison.OrdinalIgnoreCase);
}
