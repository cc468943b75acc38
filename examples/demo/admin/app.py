from flask import Flask

from admin.views import panel

app = Flask(__name__)
app.register_blueprint(panel, url_prefix="/admin")
