<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_polku\http;

/**
 * Sends one JSON request to Polku's HTTP/JSON gateway.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
interface client {
    /**
     * Sends a request and decodes the JSON answer.
     *
     * @param string $method GET, POST, PUT or DELETE
     * @param string $path e.g. "/v1/events:ingest", already percent-encoded, with its query
     * @param array|null $body request message (proto3 JSON), null for none
     * @return array the decoded response message ([] for an empty body)
     * @throws polku_exception when Polku is not reached or answers an error
     */
    public function request(string $method, string $path, ?array $body = null): array;
}
