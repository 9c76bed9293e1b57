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

namespace local_polku\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use local_polku\learner_data_eraser;
use local_polku\local\factory;
use local_polku\outbox\outbox;

/**
 * Privacy API provider of local_polku: the outbox table (events not yet
 * sent) and the learning events stored by Polku. Polku's data is exported
 * and erased in the user context; deletion calls Polku's DeleteLearnerData
 * through {@see learner_data_eraser} and throws if Polku cannot confirm, so
 * the request is retried.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\core_userlist_provider,
        \core_privacy\local\request\plugin\provider {

    /**
     * Describes the data.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table('local_polku_outbox', [
            'userid' => 'privacy:metadata:outbox:userid',
            'eventname' => 'privacy:metadata:outbox:eventname',
            'payload' => 'privacy:metadata:outbox:payload',
            'enrichment' => 'privacy:metadata:outbox:enrichment',
            'lasterror' => 'privacy:metadata:outbox:lasterror',
            'timecreated' => 'privacy:metadata:outbox:timecreated',
        ], 'privacy:metadata:outbox');
        $collection->add_external_location_link('polku', [
            'learnerkey' => 'privacy:metadata:polku:learnerkey',
            'eventname' => 'privacy:metadata:polku:eventname',
            'eventdata' => 'privacy:metadata:polku:eventdata',
            'timecreated' => 'privacy:metadata:polku:timecreated',
            'courseid' => 'privacy:metadata:polku:courseid',
            'enrolmentmethod' => 'privacy:metadata:polku:enrolmentmethod',
            'courserequired' => 'privacy:metadata:polku:courserequired',
            'goalids' => 'privacy:metadata:polku:goalids',
            'orgunit' => 'privacy:metadata:polku:orgunit',
            'grade' => 'privacy:metadata:polku:grade',
            'feedback' => 'privacy:metadata:polku:feedback',
            'optout' => 'privacy:metadata:polku:optout',
        ], 'privacy:metadata:polku');
        return $collection;
    }

    /**
     * Contexts holding the user's data: those of their queued events, and
     * their user context for what Polku holds.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        $list = new contextlist();
        $list->add_from_sql('SELECT DISTINCT contextid FROM {local_polku_outbox} WHERE userid = :userid',
            ['userid' => $userid]);
        $list->add_from_sql('SELECT id FROM {context} WHERE contextlevel = :level AND instanceid = :userid',
            ['level' => CONTEXT_USER, 'userid' => $userid]);
        return $list;
    }

    /**
     * Users with data in a context.
     *
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        $context = $userlist->get_context();
        $userlist->add_from_sql('userid', 'SELECT userid FROM {local_polku_outbox} WHERE contextid = :contextid',
            ['contextid' => $context->id]);
        if ($context instanceof \context_user) {
            $userlist->add_user($context->instanceid);
        }
    }

    /**
     * Exports queued events per context and Polku's data in the user context.
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        $userid = (int)$contextlist->get_user()->id;
        $subcontext = [get_string('pluginname', 'local_polku')];
        $rows = (new outbox($GLOBALS['DB']))->rows_for_user($userid);
        foreach ($contextlist->get_contexts() as $context) {
            $mine = array_values(array_filter($rows, static fn($r) => (int)$r->contextid === (int)$context->id));
            if ($mine) {
                writer::with_context($context)->export_data($subcontext, (object)['queued' => array_map(
                    static fn($r) => ['eventname' => $r->eventname, 'payload' => json_decode($r->payload),
                        'timecreated' => \core_privacy\local\request\transform::datetime($r->timecreated)], $mine)]);
            }
            if ($context instanceof \context_user && (int)$context->instanceid === $userid) {
                $export = self::eraser()->export($userid);
                writer::with_context($context)->export_data(array_merge($subcontext, ['Polku']), (object)[
                    'events' => array_map('json_decode', $export['eventsJson']),
                    'tags' => array_map('json_decode', $export['tagsJson']),
                    'state' => $export['stateJson'] === '' ? null : json_decode($export['stateJson']),
                ]);
            }
        }
    }

    /**
     * Deletes every user's data in a context.
     *
     * @param \context $context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        (new outbox($GLOBALS['DB']))->delete_for_context((int)$context->id);
        if ($context instanceof \context_user) {
            (new outbox($GLOBALS['DB']))->delete_for_user((int)$context->instanceid);
            self::eraser()->erase((int)$context->instanceid);
        }
    }

    /**
     * Deletes a user's data in the approved contexts.
     *
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        $userid = (int)$contextlist->get_user()->id;
        $outbox = new outbox($GLOBALS['DB']);
        $outbox->delete_for_user($userid, $contextlist->get_contextids());
        foreach ($contextlist->get_contexts() as $context) {
            if ($context instanceof \context_user && (int)$context->instanceid === $userid) {
                $outbox->delete_for_user($userid);
                self::eraser()->erase($userid);
            }
        }
    }

    /**
     * Deletes the data of several users in one context.
     *
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        $context = $userlist->get_context();
        $outbox = new outbox($GLOBALS['DB']);
        foreach ($userlist->get_userids() as $userid) {
            $outbox->delete_for_user((int)$userid, [(int)$context->id]);
            if ($context instanceof \context_user && (int)$context->instanceid === (int)$userid) {
                $outbox->delete_for_user((int)$userid);
                self::eraser()->erase((int)$userid);
            }
        }
    }

    /**
     * The eraser, wired to the configured Polku.
     *
     * @return learner_data_eraser
     */
    private static function eraser(): learner_data_eraser {
        global $CFG;
        return new learner_data_eraser(factory::api(), $CFG->wwwroot);
    }
}
