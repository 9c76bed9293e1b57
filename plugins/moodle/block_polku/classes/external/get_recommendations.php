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
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use block_polku\output\view_model;
use local_polku\event_id;
use local_polku\local\factory;

/**
 * The current user's recommendations and balance, rendered as the block's
 * template data. When Polku does not answer, "available" is false and the
 * block says so quietly.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class get_recommendations extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course the block is shown in (site id on the Dashboard)'),
        ]);
    }

    /**
     * Returns the data.
     *
     * @param int $courseid
     * @return array
     */
    public static function execute(int $courseid): array {
        global $CFG, $USER;
        ['courseid' => $courseid] = self::validate_parameters(self::execute_parameters(), ['courseid' => $courseid]);
        $context = \context_system::instance();
        self::validate_context($context);
        require_capability('block/polku:view', $context);
        $cache = \cache::make('block_polku', 'recommendations');
        $lang = current_language() === 'fi' ? 'fi' : 'en';
        $key = 'u' . $USER->id . $lang;
        $cached = $cache->get($key);
        if ($cached === false) {
            $learner = event_id::learner_key($CFG->wwwroot, (int)$USER->id);
            $api = factory::api();
            $recs = null;
            $profile = null;
            try {
                $recs = $api->get_recommendations($learner, 5, $lang);
                $profile = $api->get_profile($learner, $lang);
            } catch (\local_polku\http\polku_exception $e) {
                debugging('block_polku: ' . $e->getMessage(), DEBUG_DEVELOPER);
            }
            $cached = ['recs' => $recs, 'profile' => $profile];
            if ($recs !== null) {
                $cache->set($key, $cached);
            }
        }
        $data = view_model::build($CFG->wwwroot, $cached['recs'], $cached['profile'], static function(string $id) {
            return get_string($id, 'block_polku');
        });
        $data['whyurl'] = (new \moodle_url('/blocks/polku/why.php'))->out(false);
        $data += ['balancepercent' => 0, 'structuredpercent' => 0, 'bandlow' => 0, 'bandhigh' => 0,
            'inband' => false, 'explanation' => ''];
        return $data;
    }

    /**
     * Returned structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'available' => new external_value(PARAM_BOOL, 'Polku answered'),
            'hasitems' => new external_value(PARAM_BOOL, 'There are recommendations'),
            'items' => new external_multiple_structure(new external_single_structure([
                'id' => new external_value(PARAM_RAW, 'Recommendation id'),
                'title' => new external_value(PARAM_TEXT, 'Kind of step'),
                'reason' => new external_value(PARAM_TEXT, 'Why it is recommended'),
                'url' => new external_value(PARAM_URL, 'Link, empty when none'),
                'hasurl' => new external_value(PARAM_BOOL, 'There is a link'),
            ])),
            'hasbalance' => new external_value(PARAM_BOOL, 'The balance is known'),
            'balancepercent' => new external_value(PARAM_INT, 'Share of self-directed learning, %'),
            'structuredpercent' => new external_value(PARAM_INT, 'Share of structured learning, %'),
            'bandlow' => new external_value(PARAM_INT, 'Lower end of the target band, %'),
            'bandhigh' => new external_value(PARAM_INT, 'Upper end of the target band, %'),
            'inband' => new external_value(PARAM_BOOL, 'The balance is in the band'),
            'explanation' => new external_value(PARAM_TEXT, 'Polku\'s explanation of the profile'),
            'whyurl' => new external_value(PARAM_URL, '"Why am I seeing this" page'),
        ]);
    }
}
