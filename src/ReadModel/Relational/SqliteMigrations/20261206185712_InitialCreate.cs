using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.ReadModel.Relational.SqliteMigrations
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
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    total = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    payment_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    amount_paid = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    amount_refunded = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    payment_failure = table.Column<string>(type: "TEXT", nullable: true),
                    cancellation_reason = table.Column<string>(type: "TEXT", nullable: true),
                    timeline = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    placed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    sort_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    search_text = table.Column<string>(type: "TEXT", nullable: false),
                    last_event_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_order_summaries", x => x.order_id);
                });

            migrationBuilder.CreateTable(
                name: "product_images",
                columns: table => new
                {
                    image_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    width = table.Column<int>(type: "INTEGER", nullable: true),
                    height = table.Column<int>(type: "INTEGER", nullable: true),
                    thumbnails = table.Column<string>(type: "TEXT", nullable: false),
                    camera_make = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    camera_model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    captured_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    exposure_time_seconds = table.Column<double>(type: "REAL", nullable: true),
                    f_number = table.Column<double>(type: "REAL", nullable: true),
                    iso = table.Column<int>(type: "INTEGER", nullable: true),
                    focal_length_mm = table.Column<double>(type: "REAL", nullable: true),
                    orientation = table.Column<int>(type: "INTEGER", nullable: true),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    uploaded_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_event_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false)
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
