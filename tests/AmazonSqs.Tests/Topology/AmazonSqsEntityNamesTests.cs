using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Topology;

public class AmazonSqsEntityNamesTests
{
    public sealed record Envelope<T>(T Content)
    {
        public sealed record Item<TItem>(TItem Value);
    }

    [Fact]
    public void Should_name_a_topic_after_the_message_type_as_MassTransit_does()
    {
        var names = new AmazonSqsEntityNames();

        Assert.Equal("Shop_Contracts_Orders-OrderSubmitted", names.Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));
    }

    [Fact]
    public void Should_name_nested_and_generic_types_distinctly()
    {
        var formatter = new AmazonSqsEntityNameFormatter();

        var invoiceOfPayment = formatter.Format(typeof(Envelope<string>.Item<int>));
        var paymentOfInvoice = formatter.Format(typeof(Envelope<int>.Item<string>));

        Assert.Equal("Shop_AmazonSqs_Tests_Topology-AmazonSqsEntityNamesTests_Envelope_Item--System-String__System-Int32--",
            invoiceOfPayment);
        Assert.NotEqual(invoiceOfPayment, paymentOfInvoice);
        Assert.Equal(formatter.Format(typeof(Envelope<string>)), formatter.FormatEntityName<Envelope<string>>());
    }

    [Fact]
    public void Should_put_the_prefix_on_queues_and_topics()
    {
        var names = new AmazonSqsEntityNames("staging-");

        Assert.Equal("staging-order-state", names.Queue("order-state"));
        Assert.Equal("staging-order-state_error", names.ErrorQueue("order-state"));
        Assert.Equal("staging-order-state_skipped", names.SkippedQueue("order-state"));
        Assert.Equal("staging-Shop_Contracts_Orders-OrderSubmitted", names.Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));
    }

    [Fact]
    public void Should_keep_the_fifo_suffix_last()
    {
        var names = new AmazonSqsEntityNames();

        Assert.Equal("ledger_error.fifo", names.ErrorQueue("ledger.fifo"));
        Assert.Equal("ledger_skipped.fifo", names.SkippedQueue("ledger.fifo"));
        Assert.Equal("Shop_Contracts_Orders-OrderSubmitted.fifo", names.Topic(typeof(Shop.Contracts.Orders.OrderSubmitted), fifo: true));
    }

    [Fact]
    public void When_a_queue_name_is_longer_than_80_characters_Should_say_so()
    {
        var names = new AmazonSqsEntityNames("production-eu-");

        Assert.Equal(80, names.Queue(new string('q', 80 - 14)).Length);
        var error = Assert.Throws<ArgumentException>(() => names.ErrorQueue(new string('q', 80 - 14)));
        Assert.Contains("at most 80", error.Message);
    }

    [Theory]
    [InlineData("orders queue")]
    [InlineData("orders.v2")]
    [InlineData("orders:submitted")]
    [InlineData(".fifo")]
    [InlineData("")]
    public void When_a_name_holds_characters_SQS_refuses_Should_say_which(string endpointName)
    {
        var error = Assert.Throws<ArgumentException>(() => new AmazonSqsEntityNames().Queue(endpointName));

        Assert.Contains("only letters, digits, '-' and '_'", error.Message);
    }
}
