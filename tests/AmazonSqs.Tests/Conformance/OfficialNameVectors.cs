using MassTransit;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;
using Xunit;

// Types in a namespace of their own, so the vectors do not depend on where the test class sits.
namespace Shop.Conformance.Contracts
{
    public sealed record Batch<T>(T Item);

    public sealed record Pair<TLeft, TRight>(TLeft Left, TRight Right);

    public sealed record Outer
    {
        public sealed record Inner;
    }

    public sealed record Line;

    [EntityName("shop-legacy-order-placed")]
    public sealed record LegacyOrderPlaced;

    [FaultEntityName("shop-legacy-order-placed-faults")]
    public sealed record WithFaultName;
}

namespace Shop.Conformance.Other
{
    public sealed record Money;
}

namespace Shop.AmazonSqs.Tests.Conformance
{
    // Inside the namespace on purpose: here they win over MassTransit's own Batch<T>, which the file imports too.
#pragma warning disable IDE0065
    using Shop.Conformance.Contracts;
    using Shop.Conformance.Other;
#pragma warning restore IDE0065

    /// <summary>
    /// Test vectors written from MassTransit.AmazonSQS 8.5.8's rules (src/Transports/MassTransit.AmazonSqsTransport at tag
    /// v8.5.8 of github.com/MassTransit/MassTransit, paths below relative to that folder unless they start with src/):
    /// the names an official service gives a message type, a queue and an address must be ours, byte for byte.
    /// </summary>
    public class OfficialNameVectors
    {
        static readonly AmazonSqsEntityNames Unscoped = new();

        // AmazonSqsTransport/AmazonSqsMessageNameFormatter.cs:57-61: namespace with '.'→'_', then '-', then the name (:94).
        [Fact]
        public void A_plain_type_is_its_namespace_and_name() =>
            Assert.Equal("Shop_Contracts_Orders-OrderSubmitted", Unscoped.Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));

        // AmazonSqsMessageNameFormatter.cs:82-91: a generic argument is formatted with the outer type's namespace as its
        // scope, so an argument of the same namespace drops it (:58), one of another namespace keeps it; '--' around
        // the arguments (:80, :91), '__' between them (:85-86), the arity tick removed (:74-77).
        [Fact]
        public void A_generic_argument_of_the_same_namespace_drops_its_namespace() =>
            Assert.Equal("Shop_Conformance_Contracts-Batch--Line--", Unscoped.Topic(typeof(Batch<Line>)));

        [Fact]
        public void A_generic_argument_of_another_namespace_keeps_it() =>
            Assert.Equal("Shop_Conformance_Contracts-Pair--Line__Shop_Conformance_Other-Money--",
                Unscoped.Topic(typeof(Pair<Line, Money>)));

        [Fact]
        public void A_system_generic_argument_keeps_its_namespace() =>
            Assert.Equal("Shop_Conformance_Contracts-Batch--System-String--", Unscoped.Topic(typeof(Batch<string>)));

        // AmazonSqsMessageNameFormatter.cs:64-68: a nested type follows its declaring type (written without namespace,
        // since it shares it) and '_'.
        [Fact]
        public void A_nested_type_follows_its_declaring_type() =>
            Assert.Equal("Shop_Conformance_Contracts-Outer_Inner", Unscoped.Topic(typeof(Outer.Inner)));

        // AmazonSqsMessageNameFormatter.cs:82-88 on Fault<T> (MassTransit's own namespace) with an argument elsewhere.
        [Fact]
        public void A_fault_topic_names_the_faulted_type() =>
            Assert.Equal("MassTransit-Fault--Shop_Contracts_Orders-OrderSubmitted--",
                Unscoped.Topic(typeof(Fault<Shop.Contracts.Orders.OrderSubmitted>)));

        // AmazonSqsTransport/Configuration/AmazonSqsHostConfiguration.cs:57-61: with ScopeTopics and a scope other than
        // "/", the entity name formatter is wrapped in src/MassTransit.Abstractions/Topology/PrefixEntityNameFormatter.cs
        // (:15-19), giving "{scope}_{name}". Our scope defaults to the prefix without its trailing '-'.
        [Fact]
        public void With_a_scope_a_topic_is_scope_underscore_name()
        {
            var names = new AmazonSqsEntityNames("staging-");

            Assert.Equal("staging", names.Scope);
            Assert.Equal("staging_Shop_Contracts_Orders-OrderSubmitted", names.Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));
        }

        // AmazonSqsHostConfiguration.cs:57: without ScopeTopics the topics are not scoped.
        [Fact]
        public void Without_scope_topics_a_topic_has_no_scope() =>
            Assert.Equal("Shop_Contracts_Orders-OrderSubmitted",
                new AmazonSqsEntityNames("staging-", scopeTopics: false).Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));

        // src/MassTransit.Abstractions/Topology/MessageEntityNameFormatter.cs:33-35: [EntityName] is taken before the
        // formatter is asked (:28), so the scope prefix (a formatter) never applies to it; :36-41 the same for
        // [FaultEntityName] on the faulted type.
        [Fact]
        public void An_entity_name_attribute_is_the_topic_as_written_even_with_a_scope()
        {
            var names = new AmazonSqsEntityNames("staging-");

            Assert.Equal("shop-legacy-order-placed", names.Topic(typeof(LegacyOrderPlaced)));
            Assert.Equal("shop-legacy-order-placed-faults", names.Topic(typeof(Fault<WithFaultName>)));
        }

        // The endpoint name formatter's prefix is part of the queue name (src/MassTransit/Configuration/
        // DefaultEndpointNameFormatter.cs:290); src/MassTransit.Abstractions/Topology/Topology/DefaultErrorQueueNameFormatter.cs:6
        // and DefaultDeadLetterQueueNameFormatter.cs:6 add "_error"/"_skipped"; AmazonSqsTransport/Topology/
        // AmazonSqsSendTopology.cs:62-70 keeps ".fifo" last.
        [Theory]
        [InlineData("order-state", "staging-order-state", "staging-order-state_error", "staging-order-state_skipped")]
        [InlineData("ledger.fifo", "staging-ledger.fifo", "staging-ledger_error.fifo", "staging-ledger_skipped.fifo")]
        public void Queue_names_are_the_prefixed_endpoint_name_and_its_error_and_skipped_siblings(string endpoint, string queue,
            string error, string skipped)
        {
            var names = new AmazonSqsEntityNames("staging-");

            Assert.Equal((queue, error, skipped), (names.Queue(endpoint), names.ErrorQueue(endpoint), names.SkippedQueue(endpoint)));
            Assert.Equal((error, skipped), (AmazonSqsEntityNames.ErrorQueueOf(queue), AmazonSqsEntityNames.SkippedQueueOf(queue)));
        }

        // AmazonSqsEndpointAddress.cs:50-55 (the last path segment is the name, a scope may come before it) and
        // :122-136 (written back as amazonsqs://host/name, topics with ?type=topic, the name never altered).
        [Theory]
        [InlineData("amazonsqs://us-east-1/staging-order-state", "staging-order-state", false)]
        [InlineData("amazonsqs://us-east-1/staging/staging-order-state", "staging-order-state", false)]
        [InlineData("amazonsqs://us-east-1/staging_Shop_Contracts_Orders-OrderSubmitted?type=topic", "staging_Shop_Contracts_Orders-OrderSubmitted", true)]
        [InlineData("amazonsqs://us-east-1/ledger.fifo", "ledger.fifo", false)]
        public void A_full_address_names_the_queue_or_topic_literally(string address, string name, bool isTopic)
        {
            var parsed = AmazonSqsEndpointAddress.Parse(new Uri(address), new AmazonSqsEntityNames("staging-"));

            Assert.Equal(new AmazonSqsEndpointAddress(name, isTopic), parsed);
            Assert.Equal(isTopic ? $"amazonsqs://us-east-1/{name}?type=topic" : $"amazonsqs://us-east-1/{name}",
                parsed.ToUri(new Uri("amazonsqs://us-east-1/")).ToString());
        }

        // AmazonSqsEndpointAddress.cs:63-67: topic:name means "{scope}_{name}" whenever the host has a scope (ScopeTopics
        // or not). queue:name (:57-60) is literal there; ours is relative to the environment (the prefix added), see
        // docs/amazon-sqs.md.
        [Fact]
        public void A_short_topic_address_takes_the_scope_and_a_short_queue_address_the_prefix()
        {
            var names = new AmazonSqsEntityNames("staging-", scopeTopics: false);

            Assert.Equal(new AmazonSqsEndpointAddress("staging_price-changes", true),
                AmazonSqsEndpointAddress.Parse(new Uri("topic:price-changes"), names));
            Assert.Equal(new AmazonSqsEndpointAddress("staging-reserve-stock", false),
                AmazonSqsEndpointAddress.Parse(new Uri("queue:reserve-stock"), names));
        }

        // AmazonSqsTransport/Topology/AmazonSqsEntityNameValidator.cs:9,28 and AmazonSnsTopicNameValidator.cs:9,28: at most
        // 80 (SQS) and 256 (SNS) characters. Ours is stricter on characters: the official regex lets '.' and ':' pass,
        // which SQS and SNS refuse anywhere but in a trailing ".fifo"; we refuse them before any request.
        [Theory]
        [InlineData("orders queue")]
        [InlineData("orders.v2")]
        [InlineData("orders:submitted")]
        [InlineData(".fifo")]
        [InlineData("")]
        public void When_a_name_holds_characters_SQS_refuses_Should_say_which(string endpointName)
        {
            var error = Assert.Throws<ArgumentException>(() => Unscoped.Queue(endpointName));

            Assert.Contains("only letters, digits, '-' and '_'", error.Message);
        }

        [Fact]
        public void When_a_queue_name_is_longer_than_80_characters_Should_say_so()
        {
            var names = new AmazonSqsEntityNames("production-eu-");

            Assert.Equal(80, names.Queue(new string('q', 80 - 14)).Length);
            var error = Assert.Throws<ArgumentException>(() => names.ErrorQueue(new string('q', 80 - 14)));
            Assert.Contains("at most 80", error.Message);
        }

        // FifoTopics is our shorthand for what SetEntityName(name + ".fifo") gives on the official transport
        // (src/MassTransit.Abstractions/Topology/Topology/MessageTopology.cs:105-111).
        [Fact]
        public void A_fifo_topic_type_gets_the_fifo_suffix_after_the_scoped_name() =>
            Assert.Equal("staging_Shop_Contracts_Orders-OrderSubmitted.fifo",
                new AmazonSqsEntityNames("staging-", isFifoTopic: t => t == typeof(Shop.Contracts.Orders.OrderSubmitted))
                    .Topic(typeof(Shop.Contracts.Orders.OrderSubmitted)));
    }
}
