using Polly.Registry;

namespace Shop.Payments.Worker.Gateway;

/// <summary>
/// The gateway as the payment consumers call it: every call runs through the <c>payment-gateway</c> resilience pipeline,
/// so a consumer sees an answer or, once the pipeline has given up, an exception that <see cref="IsOutage"/> recognises.
/// </summary>
public sealed class ResilientPaymentGateway(IPaymentGateway gateway, ResiliencePipelineProvider<string> pipelines)
{
    public ValueTask<PaymentResult> Charge(ChargeRequest request, CancellationToken cancellationToken) =>
        pipelines.GetPipeline(PaymentGatewayServiceCollectionExtensions.PipelineName)
            .ExecuteAsync(async token => await gateway.Charge(request, token), cancellationToken);

    public ValueTask<RefundResult> Refund(RefundRequest request, CancellationToken cancellationToken) =>
        pipelines.GetPipeline(PaymentGatewayServiceCollectionExtensions.PipelineName)
            .ExecuteAsync(async token => await gateway.Refund(request, token), cancellationToken);

    /// <summary>Whether the pipeline gave up on the provider: every attempt failed, timed out, or the circuit is open.</summary>
    public static bool IsOutage(Exception exception) => PaymentGatewayServiceCollectionExtensions.IsGatewayOutage(exception);
}
