from flask import Blueprint, jsonify
from flask_login import login_required

panel = Blueprint("panel", __name__)


@panel.route("/users")
@login_required
def users():
    return jsonify([])


@panel.route("/users/<int:user_id>", methods=["DELETE"])
def delete_user(user_id):
    return "", 204


@panel.route("/export")
def export_everything():
    return jsonify({"users": []})
