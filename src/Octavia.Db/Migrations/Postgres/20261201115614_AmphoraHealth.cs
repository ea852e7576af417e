using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octavia.Db.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AmphoraHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "amphora_health",
                columns: table => new
                {
                    amphora_id = table.Column<string>(type: "text", nullable: false),
                    last_update = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    busy = table.Column<bool>(type: "boolean", nullable: false),
                    seq = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_amphora_health", x => x.amphora_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_amphora_health_busy_last_update",
                table: "amphora_health",
                columns: new[] { "busy", "last_update" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "amphora_health");
        }
    }
}
