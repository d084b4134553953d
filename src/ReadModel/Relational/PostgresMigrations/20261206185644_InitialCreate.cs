using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Shop.ReadModel.Relational.PostgresMigrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "order_summaries",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    lines = table.Column<string>(type: "text", nullable: false),
                    total = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    payment_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    amount_paid = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    amount_refunded = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    payment_failure = table.Column<string>(type: "text", nullable: true),
                    cancellation_reason = table.Column<string>(type: "text", nullable: true),
                    timeline = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    submitted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    placed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sort_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    search_text = table.Column<string>(type: "text", nullable: false),
                    last_event_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false),
                    search_vector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: true, computedColumnSql: "to_tsvector('simple', search_text)", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_order_summaries", x => x.order_id);
                });

            migrationBuilder.CreateTable(
                name: "product_images",
                columns: table => new
                {
                    image_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    content_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    width = table.Column<int>(type: "integer", nullable: true),
                    height = table.Column<int>(type: "integer", nullable: true),
                    thumbnails = table.Column<string>(type: "text", nullable: false),
                    camera_make = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    camera_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    captured_at = table.Column<DateTime>(type: "timestamp without time zone", nullable: true),
                    exposure_time_seconds = table.Column<double>(type: "double precision", nullable: true),
                    f_number = table.Column<double>(type: "double precision", nullable: true),
                    iso = table.Column<int>(type: "integer", nullable: true),
                    focal_length_mm = table.Column<double>(type: "double precision", nullable: true),
                    orientation = table.Column<int>(type: "integer", nullable: true),
                    failure_reason = table.Column<string>(type: "text", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false),
                    uploaded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_event_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_product_images", x => x.image_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_customer_id_sort_key",
                table: "order_summaries",
                columns: new[] { "customer_id", "sort_key" });

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_last_event_at",
                table: "order_summaries",
                column: "last_event_at");

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_search_vector",
                table: "order_summaries",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_sort_key",
                table: "order_summaries",
                column: "sort_key");

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_status_sort_key",
                table: "order_summaries",
                columns: new[] { "status", "sort_key" });

            migrationBuilder.CreateIndex(
                name: "IX_order_summaries_updated_at",
                table: "order_summaries",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "IX_product_images_last_event_at",
                table: "product_images",
                column: "last_event_at");

            migrationBuilder.CreateIndex(
                name: "IX_product_images_sku_uploaded_at",
                table: "product_images",
                columns: new[] { "sku", "uploaded_at" });

            migrationBuilder.CreateIndex(
                name: "IX_product_images_status_uploaded_at",
                table: "product_images",
                columns: new[] { "status", "uploaded_at" });

            migrationBuilder.CreateIndex(
                name: "IX_product_images_updated_at",
                table: "product_images",
                column: "updated_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "order_summaries");

            migrationBuilder.DropTable(
                name: "product_images");
        }
    }
}
