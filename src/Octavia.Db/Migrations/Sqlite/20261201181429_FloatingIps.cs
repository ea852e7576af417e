using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octavia.Db.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FloatingIps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "floatingip",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    floating_network_id = table.Column<string>(type: "TEXT", nullable: false),
                    floating_port_id = table.Column<string>(type: "TEXT", nullable: false),
                    floating_ip_address = table.Column<string>(type: "TEXT", nullable: false),
                    fixed_port_id = table.Column<string>(type: "TEXT", nullable: true),
                    fixed_ip_address = table.Column<string>(type: "TEXT", nullable: true),
                    router_id = table.Column<string>(type: "TEXT", nullable: true),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_floatingip", x => x.id);
                    table.ForeignKey(
                        name: "FK_floatingip_network_floating_network_id",
                        column: x => x.floating_network_id,
                        principalTable: "network",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_floatingip_port_fixed_port_id",
                        column: x => x.fixed_port_id,
                        principalTable: "port",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_floatingip_port_floating_port_id",
                        column: x => x.floating_port_id,
                        principalTable: "port",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_floatingip_fixed_port_id_fixed_ip_address",
                table: "floatingip",
                columns: new[] { "fixed_port_id", "fixed_ip_address" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_floatingip_floating_network_id",
                table: "floatingip",
                column: "floating_network_id");

            migrationBuilder.CreateIndex(
                name: "IX_floatingip_floating_port_id",
                table: "floatingip",
                column: "floating_port_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "floatingip");
        }
    }
}
