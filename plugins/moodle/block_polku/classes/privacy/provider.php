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

namespace block_polku\privacy;

use core_privacy\local\metadata\collection;

/**
 * Privacy API provider of block_polku: it stores nothing in Moodle; it sends
 * the user's feedback on recommendations and their profiling opt-out to
 * Polku. Export and deletion of what Polku holds are done by local_polku.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements \core_privacy\local\metadata\provider, \core_privacy\local\request\data_provider {
    /**
     * Describes the data sent.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_external_location_link('polku', [
            'learnerkey' => 'privacy:metadata:polku:learnerkey',
            'recommendationid' => 'privacy:metadata:polku:recommendationid',
            'outcome' => 'privacy:metadata:polku:outcome',
            'optout' => 'privacy:metadata:polku:optout',
        ], 'privacy:metadata:polku');
        $collection->add_subsystem_link('local_polku', [], 'privacy:metadata:localpolku');
        return $collection;
    }
}
