using Shop.ReadModel.Projections;
using Shop.Search.Tests.Infrastructure;
using static Shop.Search.Tests.Infrastructure.OrderHistories;

namespace Shop.Search.Tests.ReadModel;

[Trait("Category", "NoTransport")]
public sealed class When_the_database_refuses_one_document_of_a_batch(PostgresStores stores) : IClassFixture<PostgresStores>
{
    [Fact]
    public async Task Should_write_the_rest_of_the_batch_and_name_the_refused_one_with_its_reason()
    {
        var projection = new Projection(await stores.CreateStore());
        var good = Many(4);
        var badOrder = Guid.NewGuid();
        // An email longer than the column allows (320): a message nobody validated, which the store cannot take.
        var bad = Order(badOrder, Guid.NewGuid(), Start, Outcome.Confirmed, email: new string('x', 400) + "@example.com");

        var result = await projection.Apply([.. good, .. bad]);

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(("order", badOrder), (rejected.Kind, rejected.Id));
        Assert.Contains("22001", rejected.Reason);
        Assert.Equal(4, (await projection.Orders(good)).Count);
        Assert.Empty(await projection.Orders(bad));
        Assert.Equal(4, result.Written);
    }
}
