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

namespace local_polku;

/**
 * Erases a Moodle user's data held by Polku (PrivacyService.DeleteLearnerData).
 *
 * Used by the privacy provider. Throws when Polku cannot be reached, so the
 * data request is retried by Moodle's task instead of being reported done.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class learner_data_eraser {
    /** @var polku_api */
    private $api;
    /** @var string */
    private $wwwroot;

    /**
     * Constructor.
     *
     * @param polku_api $api Polku's API
     * @param string $wwwroot the site's wwwroot (gives the learner key)
     */
    public function __construct(polku_api $api, string $wwwroot) {
        $this->api = $api;
        $this->wwwroot = $wwwroot;
    }

    /**
     * Deletes everything Polku holds about the user; Polku keeps a hashed
     * tombstone so queued resends are not stored again.
     *
     * @param int $userid Moodle user id
     * @return int events Polku deleted
     * @throws \local_polku\http\polku_exception when Polku did not confirm
     */
    public function erase(int $userid): int {
        return $this->api->delete_learner_data(event_id::learner_key($this->wwwroot, $userid));
    }

    /**
     * What Polku holds about the user, for a data export.
     *
     * @param int $userid Moodle user id
     * @return array ExportLearnerDataResponse
     */
    public function export(int $userid): array {
        return $this->api->export_learner_data(event_id::learner_key($this->wwwroot, $userid));
    }
}
