using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;
using Shop.ProductImages.Extensions;
using Shop.ProductImages.Catalog;
using Shop.ProductImages.Endpoints;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Orders.Api.Cleanup;
using Shop.Orders.Api.Commands;
using Shop.Messaging.EntityFrameworkCore.Sagas;
using Shop.Orders.Api.Consumers;
using Shop.Orders.Api.Endpoints;
using Shop.Orders.Api.Persistence;
using Shop.Orders.Api.Security;
using Shop.Orders.Api.StateMachines;
using Shop.ReadModel;
using Shop.ServiceDefaults;

namespace Shop.Orders.Api.Extensions;

public static class OrdersApiExtensions
{
    public const string ConnectionStringName = "Orders";
    public const string OpenApiEnabledKey = "OpenApi:Enabled";
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=shop_orders;Database=shop_orders";

    /// <summary>
    /// The Orders service: its database, the order saga, the stock consumers, bearer authentication with rate limits, and OpenAPI. <paramref name="configureBus"/>
    /// adds further consumers to the same bus (a host that runs several services in one process, tests).
    /// </summary>
    public static IHostApplicationBuilder AddOrdersApi(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.Services.AddServiceDatabase<OrdersDbContext, OrdersSqliteMigrations>(builder.Configuration, ConnectionStringName, DefaultConnectionString);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<OrderSagaOptions>().BindConfiguration(OrderSagaOptions.SectionName);
        builder.Services.AddScoped<IdempotencyKeyStore>();
        builder.Services.AddScoped<PlaceOrderHandler>();
        builder.Services.AddScoped<IOrderStatusLog, OrderStatusLog>();
        builder.Services.AddScoped<IOrderCheck, StoredOrderCheck>();
        builder.Services.AddScoped<IOrderCardTokens, OrderCardTokens>();
        builder.Services.AddScoped<IProductCatalog, OrdersProductCatalog>();
        builder.Services.AddProductImages<OrdersDbContext>(builder.Configuration);
        builder.Services.AddReadModelStore(builder.Configuration);

        builder.Services.AddShopMessaging<OrdersDbContext>(builder.Configuration, x =>
        {
            x.AddConsumer<ReserveStockConsumer>();
            x.AddConsumer<ReleaseStockConsumer>();
            x.AddSagaStateMachine<OrderStateMachine, OrderState>();
            x.AddProductImageConsumers();
            configureBus?.Invoke(x);
        });
        builder.Services.AddSagaStateMetrics<OrdersDbContext, OrderState>(saga => saga.CurrentState);

        builder.Services.AddOptions<CleanupOptions>().BindConfiguration(CleanupOptions.SectionName)
            .Validate(o => o.Interval > TimeSpan.Zero, "Cleanup:Interval must be positive.").ValidateOnStart();
        builder.Services.AddScoped<RetentionCleanup>();
        builder.Services.AddHostedService<RetentionCleanupService>();

        builder.AddApiSecurity();
        builder.Services.AddOpenApi(options => options.AddBearerSecurityScheme());
        return builder;
    }

    /// <summary>
    /// Problem details for every error (401, 403 and 429 included), the OpenAPI document with its Scalar UI where
    /// <c>OpenApi:Enabled</c> (by default everywhere but Production), and the resource groups.
    /// </summary>
    public static WebApplication MapOrdersApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiSecurity();

        if (app.Configuration.GetValue(OpenApiEnabledKey, !app.Environment.IsProduction()))
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        app.MapGroup("/orders").WithTags("Orders").MapOrdersEndpoints();
        app.MapGroup("/products").WithTags("Products").MapProductsEndpoints();
        app.MapProductImagesApi<OrdersDbContext>(uploads => uploads
            .RequireAuthorization(ShopPolicies.CatalogAdmin)
            .RequireRateLimiting(ShopPolicies.UploadsRateLimit));
        app.MapReadModelQueries();
        app.MapDevelopmentTokens();
        return app;
    }
}
