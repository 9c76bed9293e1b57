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

namespace block_polku\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_polku\event_id;
use local_polku\local\factory;

/**
 * Turns the current user's opt-out of profiling on or off (PrivacyService.SetProfilingOptOut).
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class set_opt_out extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'optedout' => new external_value(PARAM_BOOL, 'True to opt out of profiling'),
        ]);
    }

    /**
     * Sets the opt-out.
     *
     * @param bool $optedout
     * @return array
     */
    public static function execute(bool $optedout): array {
        global $CFG, $USER;
        ['optedout' => $optedout] = self::validate_parameters(self::execute_parameters(), ['optedout' => $optedout]);
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('block/polku:view', $context);
        try {
            $now = factory::api()->set_profiling_opt_out(event_id::learner_key($CFG->wwwroot, (int)$USER->id), $optedout);
        } catch (\local_polku\http\polku_exception $e) {
            return ['saved' => false, 'optedout' => !$optedout];
        }
        \cache::make('block_polku', 'recommendations')->purge();
        return ['saved' => true, 'optedout' => $now];
    }

    /**
     * Returned structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'saved' => new external_value(PARAM_BOOL, 'Polku recorded it'),
            'optedout' => new external_value(PARAM_BOOL, 'The opt-out now in force'),
        ]);
    }
}
