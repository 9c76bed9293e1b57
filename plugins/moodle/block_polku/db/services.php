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

/**
 * External functions of block_polku, called by its AMD module.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'block_polku_get_recommendations' => [
        'classname' => '\block_polku\external\get_recommendations',
        'description' => 'The current user\'s recommendations and learning balance from Polku.',
        'type' => 'read',
        'ajax' => true,
        'capabilities' => 'block/polku:view',
    ],
    'block_polku_record_feedback' => [
        'classname' => '\block_polku\external\record_feedback',
        'description' => 'Accept or dismiss one of the current user\'s recommendations.',
        'type' => 'write',
        'ajax' => true,
        'capabilities' => 'block/polku:view',
    ],
    'block_polku_set_opt_out' => [
        'classname' => '\block_polku\external\set_opt_out',
        'description' => 'Turn the current user\'s opt-out of profiling on or off.',
        'type' => 'write',
        'ajax' => true,
        'capabilities' => 'block/polku:view',
    ],
];
