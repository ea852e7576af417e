using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octavia.Db.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LocalNetworks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "network",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    external = table.Column<bool>(type: "INTEGER", nullable: false),
                    bridge_name = table.Column<string>(type: "TEXT", nullable: false),
                    mtu = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_network", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "port",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    network_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    mac_address = table.Column<string>(type: "TEXT", nullable: false),
                    device_id = table.Column<string>(type: "TEXT", nullable: false),
                    device_owner = table.Column<string>(type: "TEXT", nullable: false),
                    host_link = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_port", x => x.id);
                    table.ForeignKey(
                        name: "FK_port_network_network_id",
                        column: x => x.network_id,
                        principalTable: "network",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subnet",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    network_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    cidr = table.Column<string>(type: "TEXT", nullable: false),
                    ip_version = table.Column<int>(type: "INTEGER", nullable: false),
                    gateway_ip = table.Column<string>(type: "TEXT", nullable: true),
                    allocation_start = table.Column<string>(type: "TEXT", nullable: false),
                    allocation_end = table.Column<string>(type: "TEXT", nullable: false),
                    host_address = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subnet", x => x.id);
                    table.ForeignKey(
                        name: "FK_subnet_network_network_id",
                        column: x => x.network_id,
                        principalTable: "network",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ip_allocation",
                columns: table => new
                {
                    subnet_id = table.Column<string>(type: "TEXT", nullable: false),
                    ip_address = table.Column<string>(type: "TEXT", nullable: false),
                    port_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ip_allocation", x => new { x.subnet_id, x.ip_address });
                    table.ForeignKey(
                        name: "FK_ip_allocation_port_port_id",
                        column: x => x.port_id,
                        principalTable: "port",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ip_allocation_subnet_subnet_id",
                        column: x => x.subnet_id,
                        principalTable: "subnet",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ip_allocation_port_id",
                table: "ip_allocation",
                column: "port_id");

            migrationBuilder.CreateIndex(
                name: "IX_network_name",
                table: "network",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "IX_port_device_id",
                table: "port",
                column: "device_id");

            migrationBuilder.CreateIndex(
                name: "IX_port_network_id",
                table: "port",
                column: "network_id");

            migrationBuilder.CreateIndex(
                name: "IX_subnet_network_id",
                table: "subnet",
                column: "network_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ip_allocation");

            migrationBuilder.DropTable(
                name: "port");

            migrationBuilder.DropTable(
                name: "subnet");

            migrationBuilder.DropTable(
                name: "network");
        }
    }
}
