using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Orders.Api.Persistence.Migrations
{
    /// <summary>
    /// <c>take_stock</c>: the stock reservation's conditional update as one statement that fails when it takes nothing
    /// (a procedure, so its <c>CALL</c> adds no result set to the batch EF Core reads).
    /// The reservation reads the stock without a lock and sends this in its commit's batch, so the row's lock is held
    /// for that batch alone; a line taken meanwhile must fail the whole batch, and as a serialization failure (40001)
    /// it is one the retry policy already treats as transient. No model change: the snapshot stays as it was.
    /// </summary>
    [DbContext(typeof(OrdersDbContext))]
    [Migration("20261207161000_TakeStockProcedure")]
    public sealed class TakeStockProcedure : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE PROCEDURE take_stock(taken_sku text, quantity integer) LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE stock SET on_hand = on_hand - quantity WHERE sku = taken_sku AND on_hand >= quantity;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'stock of % was taken by a concurrent reservation', taken_sku
                            USING ERRCODE = 'serialization_failure';
                    END IF;
                END
                $$;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP PROCEDURE take_stock(text, integer);");
        }
    }
}
