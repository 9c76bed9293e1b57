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
 * Accept or dismiss a recommendation (RecommendationService.RecordFeedback).
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class record_feedback extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'recommendationid' => new external_value(PARAM_RAW, 'Recommendation id'),
            'outcome' => new external_value(PARAM_ALPHA, 'accepted or dismissed'),
        ]);
    }

    /**
     * Records the feedback and forgets the cached recommendations.
     *
     * @param string $recommendationid
     * @param string $outcome
     * @return array
     */
    public static function execute(string $recommendationid, string $outcome): array {
        global $CFG, $USER;
        $params = self::validate_parameters(self::execute_parameters(),
            ['recommendationid' => $recommendationid, 'outcome' => $outcome]);
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('block/polku:view', $context);
        $outcomes = ['accepted' => 'FEEDBACK_OUTCOME_ACCEPTED', 'dismissed' => 'FEEDBACK_OUTCOME_DISMISSED'];
        if (!isset($outcomes[$params['outcome']])) {
            throw new \invalid_parameter_exception('outcome must be accepted or dismissed');
        }
        try {
            factory::api()->record_feedback(event_id::learner_key($CFG->wwwroot, (int)$USER->id),
                $params['recommendationid'], $outcomes[$params['outcome']]);
        } catch (\local_polku\http\polku_exception $e) {
            return ['saved' => false];
        }
        \cache::make('block_polku', 'recommendations')->purge();
        return ['saved' => true];
    }

    /**
     * Returned structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure(['saved' => new external_value(PARAM_BOOL, 'Polku recorded it')]);
    }
}
